import Curation
import Foundation
import Mixer

/// `kind: verify`: scores verifiable records (adds reward, extracted, rule); with `min_reward`, keeps only
/// records whose reward reaches it (dropped as `below-min-reward`). Settings: `dataset`, `min_reward`.
struct VerifyStageRunner: StageRunner {
    static let kind = "verify"
    static let settingKeys: Set<String> = ["dataset", "min_reward"]

    var dataset = "math"
    var minReward: Double?

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            switch key {
            case "dataset": dataset = try doc.string(value, spec.entry)
            case "min_reward": minReward = try doc.double(value, spec.entry, what: key)
            default: break
            }
        }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a verify stage needs at least one input") }
    }

    var settings: JSONValue {
        .object(JSONObject([.init(key: "dataset", value: .string(dataset)), .init(key: "min_reward", value: minReward.map { .double($0) } ?? .null)]))
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let reader = RecordReader(files: inputs.flatMap(\.files))
        let writer = try ShardedWriter(directory: output, options: ShardOptions(prefix: "part", workers: context.threads))
        var rep = StageReport(stage: "verify")
        let ds = dataset
        var parallel = OrderedParallel<LineBatch, (LineBatch, [Result<RawRecord, CurationError>], [Result<(RawRecord, String, Double, String?), CurationError>?])>(threads: context.threads) { batch in
            let parsed = RecordReader.parse(batch)
            let scored = parsed.map { p -> Result<(RawRecord, String, Double, String?), CurationError>? in
                guard case .success(let r) = p else { return nil }
                do { return .success(try Verifier.score(r, defaultDataset: ds)) } catch let e as CurationError { return .failure(e) } catch {
                    return .failure(.badRecord(r.location, reason: "\(error)"))
                }
            }
            return (batch, parsed, scored)
        }
        let minReward = self.minReward
        let consume: ((LineBatch, [Result<RawRecord, CurationError>], [Result<(RawRecord, String, Double, String?), CurationError>?])) throws -> Void = { item in
            _ = try reader.absorb(item.0, item.1)
            for s in item.2 {
                guard let s else { continue }
                let (out, _, reward, _) = try s.get()
                if let m = minReward, reward < m { rep.drop("below-min-reward"); continue }
                try writer.write(out)
            }
        }
        try reader.forEachBatch(batchBytes: 1 << 18) { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)
        let manifest = try writer.finish()
        rep.absorb(reader.counts)
        rep.recordsOut = manifest.records
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        return StageOutcome(report: rep, manifest: manifest)
    }
}
