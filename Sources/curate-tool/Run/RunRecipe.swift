import Curation
import Foundation
import Mixer
import Yams

/// A run recipe: named sources (files), and named stages whose `inputs` name sources or earlier
/// stages' outputs. The stages form a graph; it is checked (unknown names, a kind nobody runs,
/// cycles) and ordered when the recipe is read, before anything runs.
struct RunRecipe {
    struct Source {
        var name: String
        var files: [String]
        /// The paths as written (resolved against the recipe's directory): files, directories or globs.
        var paths: [String] = []
        /// The recipe line of the source, for errors.
        var line: Int = 0
    }
    struct Stage {
        var spec: StageSpec
        var runner: any StageRunner
    }

    var file: String
    /// The run directory: the run store and one output directory per stage.
    var output: String?
    var seed: UInt64
    var sources: [Source]
    /// In an order where every stage comes after the stages it reads (recipe order otherwise).
    var stages: [Stage]

    static let topKeys: Set<String> = ["output", "seed", "sources", "stages", "directory"]

    static func load(path: String) throws -> RunRecipe {
        var doc = try YAMLDocument(path: path)
        // `directory:` (relative to the file) is where the recipe's relative paths resolve: a generated
        // recipe (an ablation variant) written elsewhere keeps its base recipe's paths.
        if case .mapping(let m) = doc.root, let d = m["directory"] { doc.directory = doc.resolvePath(try doc.string(d, "directory")) }
        var recipe = RunRecipe(file: path, output: nil, seed: 0, sources: [], stages: [])
        var stagesNode: Node?
        for (key, _, value) in try doc.mapping(doc.root, "", allowed: topKeys) {
            switch key {
            case "directory": break
            case "output": recipe.output = doc.resolvePath(try doc.string(value, "output"))
            case "seed":
                let s = try doc.integer(value, "seed", what: "seed")
                guard s >= 0 else { throw doc.error(value, "seed", "seed should be 0 or more") }
                recipe.seed = UInt64(s)
            case "sources":
                for (name, keyNode, spec) in try doc.mapping(value, "sources", allowed: nil) {
                    let entry = "sources \"\(name)\""
                    var files: [String] = []
                    var written: [String] = []
                    var pathsNode: Node?
                    for (k, _, v) in try doc.mapping(spec, entry, allowed: ["paths", "path"]) where k == "paths" || k == "path" { pathsNode = v }
                    guard let pathsNode else { throw doc.error(keyNode, entry, "a source needs paths") }
                    for (p, pNode) in try doc.scalarList(pathsNode, entry) {
                        written.append(doc.resolvePath(p))
                        do { files.append(contentsOf: try InputFiles.resolve([doc.resolvePath(p)])) } catch let e as CurationError {
                            throw doc.error(pNode, entry, "file not found: \(e)")
                        }
                    }
                    recipe.sources.append(Source(name: name, files: files, paths: written, line: keyNode.mark?.line ?? 0))
                }
            default: stagesNode = value
            }
        }
        guard let stagesNode else { throw doc.error(doc.root, "", "no stages: a run recipe needs a \"stages\" list") }
        let list = try doc.sequence(stagesNode, "stages")
        guard !list.isEmpty else { throw doc.error(stagesNode, "stages", "the stages list is empty") }

        // Read every stage's name, kind and inputs first: inputs may name any stage.
        var specs: [StageSpec] = []
        let sourceNames = Set(recipe.sources.map(\.name))
        for (i, node) in list.enumerated() {
            var entry = "stages[\(i)]"
            let m = try doc.mapping(node, entry, allowed: nil)
            guard let nameNode = m.first(where: { $0.key == "name" })?.value else { throw doc.error(node, entry, "a stage needs a name") }
            let name = try doc.string(nameNode, entry)
            entry += " \"\(name)\""
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { throw doc.error(nameNode, entry, "a stage name must be a plain file name") }
            if sourceNames.contains(name) { throw doc.error(nameNode, entry, "a source is already named \"\(name)\"") }
            if specs.contains(where: { $0.name == name }) { throw doc.error(nameNode, entry, "two stages are named \"\(name)\"") }
            guard let kindNode = m.first(where: { $0.key == "kind" })?.value else {
                throw doc.error(node, entry, "a stage needs a kind (\(StageRegistry.kinds.joined(separator: ", ")))")
            }
            let kind = try doc.string(kindNode, entry)
            guard StageRegistry.runner(kind: kind) != nil else {
                throw doc.error(kindNode, entry, "unknown stage kind \"\(kind)\" (this build runs: \(StageRegistry.kinds.joined(separator: ", ")))")
            }
            var inputs: [(name: String, node: Node)] = []
            if let inputsNode = m.first(where: { $0.key == "inputs" })?.value {
                inputs = try doc.scalarList(inputsNode, entry).map { (name: $0.0, node: $0.1) }
            }
            specs.append(StageSpec(name: name, kind: kind, inputs: inputs, node: node, position: i, entry: entry))
        }
        let stageNames = Set(specs.map(\.name))
        for s in specs {
            for input in s.inputs where !sourceNames.contains(input.name) && !stageNames.contains(input.name) {
                throw doc.error(input.node, s.entry, "unknown source or stage \"\(input.name)\" in inputs")
            }
        }
        let order = try topologicalOrder(specs, doc: doc)
        for i in order {
            let spec = specs[i]
            guard let type = StageRegistry.runner(kind: spec.kind) else { continue }
            recipe.stages.append(Stage(spec: spec, runner: try type.init(spec: spec, document: doc, runSeed: recipe.seed)))
        }
        return recipe
    }

    /// Orders stages so each comes after its inputs (Kahn's algorithm, recipe order among the ready
    /// ones). A cycle is an error naming its stages in order and the line of the first one.
    static func topologicalOrder(_ specs: [StageSpec], doc: YAMLDocument) throws -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: specs.enumerated().map { ($1.name, $0) })
        var deps = specs.map { s in Set(s.inputs.compactMap { index[$0.name] }) }
        var order: [Int] = []
        var done = Set<Int>()
        while order.count < specs.count {
            guard let next = specs.indices.first(where: { !done.contains($0) && deps[$0].isSubset(of: done) }) else {
                // Walk from a blocked stage along blocked inputs until a stage repeats: that is the cycle.
                var path: [Int] = []
                var cur = specs.indices.first { !done.contains($0) } ?? 0
                while !path.contains(cur) {
                    path.append(cur)
                    cur = deps[cur].subtracting(done).sorted().first ?? cur
                }
                let cycle = Array(path[(path.firstIndex(of: cur) ?? 0)...]) + [cur]
                let first = specs[cycle[0]]
                throw doc.error(first.node, first.entry,
                                "cycle between stages: \(cycle.map { specs[$0].name }.joined(separator: " <- ")) (each reads the next)")
            }
            order.append(next)
            done.insert(next)
            deps[next] = []
        }
        return order
    }
}
