/// Places examples into fixed-length rows.
///
/// Best-fit decreasing (TRL's `packing_strategy="bfd"`): longest first, each into the open row with the
/// least room that still fits it, else a new row. Rows then hold several examples with positions
/// restarting and no attention across them (`TokenBatch.packed`). Padding mode puts one example per row.
public enum SequencePacker {
    /// Rows of example indices. Lengths above `capacity` must have been cut before (they get a row each).
    /// Deterministic: ties go to the earlier row and equal lengths keep their input order.
    public static func bestFitDecreasing(lengths: [Int], capacity: Int) -> [[Int]] {
        let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        var rows: [[Int]] = []
        // Rows by remaining room: room -> row indices (ascending). Room is at most `capacity`,
        // so an array of buckets finds the best fit by scanning up from the example's length.
        var byRoom = [[Int]](repeating: [], count: capacity + 1)
        var nonEmpty = Set<Int>()  // rooms with at least one row, for a quick scan
        var sortedRooms: [Int] = []
        for i in order {
            let n = min(lengths[i], capacity)
            // Smallest room >= n.
            var lo = 0, hi = sortedRooms.count
            while lo < hi { let mid = (lo + hi) / 2; if sortedRooms[mid] < n { lo = mid + 1 } else { hi = mid } }
            if lo < sortedRooms.count {
                let room = sortedRooms[lo]
                let row = byRoom[room].removeFirst()
                if byRoom[room].isEmpty { nonEmpty.remove(room); sortedRooms.remove(at: lo) }
                rows[row].append(i)
                let left = room - n
                insert(row, room: left, byRoom: &byRoom, nonEmpty: &nonEmpty, sortedRooms: &sortedRooms)
            } else {
                rows.append([i])
                insert(rows.count - 1, room: capacity - n, byRoom: &byRoom, nonEmpty: &nonEmpty, sortedRooms: &sortedRooms)
            }
        }
        return rows
    }

    private static func insert(_ row: Int, room: Int, byRoom: inout [[Int]], nonEmpty: inout Set<Int>, sortedRooms: inout [Int]) {
        guard room > 0 else { return }
        // Keep rows of equal room in ascending index order (ties go to the earlier row).
        var b = byRoom[room]
        var lo = 0, hi = b.count
        while lo < hi { let mid = (lo + hi) / 2; if b[mid] < row { lo = mid + 1 } else { hi = mid } }
        b.insert(row, at: lo)
        byRoom[room] = b
        if !nonEmpty.contains(room) {
            nonEmpty.insert(room)
            var l = 0, h = sortedRooms.count
            while l < h { let m = (l + h) / 2; if sortedRooms[m] < room { l = m + 1 } else { h = m } }
            sortedRooms.insert(room, at: l)
        }
    }

    /// One example per row, in input order.
    public static func padded(count: Int) -> [[Int]] { (0..<count).map { [$0] } }
}
