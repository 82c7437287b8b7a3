import Foundation
import Testing
import Trainer

/// Issue 13 item 20: rotating a checkpoint must never leave a moment without one `--resume` can use.
@Suite struct CheckpointRotationTests {
    func writeCheckpoint(_ dir: String, step: Int) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("{\"step\": \(step)}".utf8).write(to: URL(fileURLWithPath: dir + "/trainer_state.json"))
        try Data(repeating: UInt8(step), count: 1000).write(to: URL(fileURLWithPath: dir + "/model.safetensors"))
    }

    func step(at dir: String) -> Int? {
        guard let d = FileManager.default.contents(atPath: dir + "/trainer_state.json"),
              let text = String(data: d, encoding: .utf8) else { return nil }
        return Int(text.filter(\.isNumber))
    }

    @Test func aResumableCheckpointExistsAfterEveryStep() throws {
        let root = NSTemporaryDirectory() + "ckpt-rotation-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/checkpoint"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // First save: nothing before it.
        try CheckpointRotation.replace(path, write: { try writeCheckpoint($0, step: 1) })
        #expect(step(at: path) == 1)
        for s in 2...4 {
            var seen: [CheckpointRotation.Step] = []
            try CheckpointRotation.replace(path, write: { try writeCheckpoint($0, step: s) }, observe: { st in
                seen.append(st)
                // Were the process killed now, --resume would find a whole checkpoint: the old or the new.
                let found = CheckpointRotation.resolve(path)
                #expect(found != nil, "no checkpoint after step \(st)")
                if let f = found { #expect([s - 1, s].contains(step(at: f) ?? -1)) }
            })
            #expect(seen.contains(.staged) && seen.last == .removedOld)
            #expect(step(at: path) == s)
            #expect(!FileManager.default.fileExists(atPath: path + ".new") && !FileManager.default.fileExists(atPath: path + ".old"))
        }
    }

    @Test func aSaveThatFailsLeavesThePreviousCheckpointAndALeftoverIsCleared() throws {
        let root = NSTemporaryDirectory() + "ckpt-rotation-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/checkpoint"
        try writeCheckpoint(path, step: 5)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try CheckpointRotation.replace(path, write: { dir in
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                throw Boom()
            })
        }
        #expect(CheckpointRotation.resolve(path) == path && step(at: path) == 5)
        // A checkpoint moved aside by a save killed between its renames is still found.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
        #expect(CheckpointRotation.resolve(path) == path + ".old")
        try CheckpointRotation.replace(path, write: { try writeCheckpoint($0, step: 6) })
        #expect(step(at: path) == 6 && !FileManager.default.fileExists(atPath: path + ".old") && !FileManager.default.fileExists(atPath: path + ".new"))
    }
}
