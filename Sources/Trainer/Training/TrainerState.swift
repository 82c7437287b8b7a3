import Curation
import Foundation

/// What a checkpoint needs besides weights and optimiser moments to continue bit-exactly: the step,
/// where in the data the next step starts, and the data-order RNG (seed; each epoch's order is drawn
/// from a generator seeded by seed and epoch, so the seed and the position determine it).
public struct TrainerState: Sendable, Equatable {
    public var step: Int
    public var totalSteps: Int
    public var epoch: Int
    /// Index of the next row within the epoch's shuffled order.
    public var position: Int
    public var seed: UInt64
    /// A hash of the training rows, so a resume on different data fails instead of drifting.
    public var dataHash: String
    public var kind: String

    public init(step: Int, totalSteps: Int, epoch: Int, position: Int, seed: UInt64, dataHash: String, kind: String) {
        self.step = step; self.totalSteps = totalSteps; self.epoch = epoch; self.position = position
        self.seed = seed; self.dataHash = dataHash; self.kind = kind
    }

    public var json: JSONValue {
        .object(JSONObject([
            .init(key: "kind", value: .string(kind)),
            .init(key: "step", value: .int(step)),
            .init(key: "total_steps", value: .int(totalSteps)),
            .init(key: "epoch", value: .int(epoch)),
            .init(key: "position", value: .int(position)),
            .init(key: "rng", value: .object(JSONObject([.init(key: "type", value: .string("splitmix64(seed ^ epoch)")),
                                                         .init(key: "seed", value: .string(String(seed)))]))),
            .init(key: "data_hash", value: .string(dataHash)),
        ]))
    }

    public func save(to path: String) throws {
        do { try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: path) } catch {
            throw TrainerError.io(path: path, reason: "cannot write trainer state: \(error)")
        }
    }

    public static func load(from path: String) throws -> TrainerState {
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainerError.io(path: path, reason: "cannot read trainer state") }
        let j: JSONValue
        do { j = try JSONParser.parse([UInt8](data)) } catch { throw TrainerError.badFile(path: path, offset: nil, reason: "not valid JSON") }
        guard let step = j["step"]?.intValue, let total = j["total_steps"]?.intValue, let epoch = j["epoch"]?.intValue,
              let pos = j["position"]?.intValue, let seedText = j["rng"]?["seed"]?.stringValue, let seed = UInt64(seedText),
              let hash = j["data_hash"]?.stringValue, step >= 0, epoch >= 0, pos >= 0 else {
            throw TrainerError.badFile(path: path, offset: nil, reason: "missing or bad step/total_steps/epoch/position/rng/data_hash")
        }
        return TrainerState(step: step, totalSteps: total, epoch: epoch, position: pos, seed: seed, dataHash: hash,
                            kind: j["kind"]?.stringValue ?? "sft")
    }
}
