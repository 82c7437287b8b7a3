import Curation
import Foundation
import Mixer
import Yams

/// Turns a lab's base recipe into the recipe of one variant and seed: the overrides applied to the
/// YAML tree, the run seed set (seed s gives every variant the same model init, data draw, order and
/// eval items), stages no metric needs left out, and `directory:` pointing at the base recipe's folder
/// so the written recipe resolves the same relative paths and can be re-run on its own with `run`.
struct LabRecipes {
    var lab: LabFile
    var base: YAMLDocument
    var quick: Bool

    init(lab: LabFile, quick: Bool) throws {
        self.lab = lab
        self.quick = quick
        base = try YAMLDocument(path: lab.recipe)
    }

    var seeds: [UInt64] { quick ? (lab.quickSeeds ?? lab.seeds) : lab.seeds }

    /// The stages the lab reads: every metric's stages and the plotted training stages.
    var readStages: [String] {
        var out: [String] = []
        for m in lab.metrics {
            switch m.source {
            case .eval(let s, _, _): out.append(s)
            case .removed(let from, let by, _): out += [from, by]
            case .report(let s, _): out.append(s)
            case .difference: break
            }
        }
        return out + lab.lossPlots
    }

    /// The recipe text of `variant` at `seed`.
    func recipeText(variant v: LabFile.Variant, seed: UInt64) throws -> String {
        let doc = lab.document
        let entry = "variants \"\(v.name)\""
        let at = v.node ?? doc.root
        guard case .mapping(var root) = base.root else { throw base.error(base.root, "", "the base recipe is not a mapping") }
        root["seed"] = Node(String(seed))
        root["directory"] = Node(URL(fileURLWithPath: base.baseDirectory).standardizedFileURL.path)
        root["output"] = nil

        // Sources swapped.
        if !v.sources.isEmpty {
            guard case .mapping(var sources)? = root["sources"] else { throw doc.error(at, entry, "the base recipe has no sources to swap") }
            for (name, paths) in v.sources {
                guard sources[name] != nil else { throw doc.error(at, entry, "sources: the base recipe has no source \"\(name)\"") }
                sources[name] = .mapping(Node.Mapping([(Node("paths"), .sequence(Node.Sequence(paths.map { Node($0) })))]))
            }
            root["sources"] = .mapping(sources)
        }

        guard case .sequence(let stageList)? = root["stages"] else { throw base.error(base.root, "", "the base recipe has no stages list") }
        var stages: [(name: String, node: Node.Mapping)] = []
        for node in stageList {
            guard case .mapping(let m) = node, let name = m["name"]?.string else { throw base.error(node, "stages", "a stage needs a name") }
            stages.append((name, m))
        }
        let names = Set(stages.map(\.name))
        func check(_ stage: String, _ what: String) throws {
            guard names.contains(stage) else { throw doc.error(at, entry, "\(what): the base recipe has no stage \"\(stage)\"") }
        }
        let sets = v.set + (quick ? lab.quickSet : [])
        for (stage, _) in sets { try check(stage, "set") }
        for stage in v.bypass { try check(stage, "bypass") }
        for (stage, _) in v.inputs { try check(stage, "inputs") }

        func inputs(of m: Node.Mapping) -> [String] {
            switch m["inputs"] {
            case .scalar(let s)?: return [s.string]
            case .sequence(let s)?: return s.compactMap(\.string)
            default: return []
            }
        }
        // Bypassed stages: whoever read one reads its first input (through chains of bypassed stages).
        var replacement: [String: String] = [:]
        for stage in v.bypass {
            guard let m = stages.first(where: { $0.name == stage })?.node, let first = inputs(of: m).first else {
                throw doc.error(at, entry, "bypass: stage \"\(stage)\" has no input to pass on")
            }
            replacement[stage] = first
        }
        func resolve(_ name: String) -> String {
            var n = name, hops = 0
            while let r = replacement[n], hops <= replacement.count { n = r; hops += 1 }
            return n
        }
        var out: [(name: String, node: Node.Mapping)] = []
        for (name, var m) in stages where replacement[name] == nil {
            if let swapped = v.inputs.first(where: { $0.stage == name }) {
                m["inputs"] = .sequence(Node.Sequence(swapped.inputs.map { Node($0) }))
            }
            let ins = inputs(of: m)
            if ins.contains(where: { replacement[$0] != nil }) {
                m["inputs"] = .sequence(Node.Sequence(ins.map { Node(resolve($0)) }))
                // A training stage's `model:` naming a bypassed stage follows it too.
                if let model = m["model"]?.string, replacement[model] != nil { m["model"] = Node(resolve(model)) }
            }
            for (stage, settings) in sets where stage == name {
                for (key, value) in settings { m[key] = value }
            }
            out.append((name, m))
        }

        // Keep only what the lab reads, and what that reads.
        var needed = Set<String>()
        var queue = readStages
        for s in queue where replacement[s] != nil || !names.contains(s) {
            throw doc.error(at, entry, names.contains(s)
                ? "the lab reads stage \"\(s)\", which this variant bypasses"
                : "the lab reads stage \"\(s)\", which the base recipe does not have")
        }
        while let s = queue.popLast() {
            guard needed.insert(s).inserted, let m = out.first(where: { $0.name == s })?.node else { continue }
            queue += inputs(of: m)
        }
        root["stages"] = .sequence(Node.Sequence(out.filter { needed.contains($0.name) }.map { .mapping($0.node) }))
        let text = try Yams.serialize(node: .mapping(root), width: -1, sortKeys: false)
        return "# Generated by `curate-tool ablate` from \(lab.path): variant \"\(v.name)\", seed \(seed)\(quick ? ", --quick" : "").\n"
            + "# Re-run it alone with: curate-tool run THIS_FILE --output DIR\n" + text
    }
}
