import Curation
import Foundation

/// The check that a planned mix fits on the disk, made after planning and before the gather phase
/// writes its first spill file: the planned size is each source's uncompressed bytes per record times
/// the records it contributes (copies included), which is what the shuffle spills and about what the
/// shards hold before compression. A mix that does not fit is refused naming the largest source, the
/// planned bytes and the free bytes, instead of filling the disk (issue 13, item 7).
struct MixDiskPlan {
    var recipe: MixRecipe
    /// Per source, in recipe order.
    var plannedBytes: [Double]
    /// Where the mix writes: the output directory, and the spill directory when it is elsewhere.
    var directories: [String]

    func check() throws {
        let total = plannedBytes.reduce(0, +)
        for dir in directories {
            guard let free = DiskSpace.availableBytes(atPath: dir), total > Double(free) else { continue }
            let i = plannedBytes.indices.max { plannedBytes[$0] < plannedBytes[$1] } ?? 0
            let source = recipe.sources[i]
            throw RecipeError(file: recipe.file, line: source.line, column: 1, entry: "sources[\(i)] \"\(source.name)\"",
                              message: "the mix would write about \(Self.bytes(total)) (this source's \(source.amount): \(Self.bytes(plannedBytes[i]))), "
                                + "more than the \(Self.bytes(Double(free))) free in \(dir): lower the amounts or free some space")
        }
    }

    /// `123456789 bytes (123.5 MB)`: exact for scripts, readable for people.
    static func bytes(_ b: Double) -> String {
        let exact = b >= 9e18 ? String(format: "%.3g", b) : String(Int(b.rounded()))
        return "\(exact) bytes (\(String(format: "%.1f", b / 1e9)) GB)"
    }
}
