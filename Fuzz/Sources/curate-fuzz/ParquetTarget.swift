import Curation
import Foundation

/// The Parquet reader: footer (Thrift compact), schema, page headers, codecs, encodings and record
/// assembly, over every row group and column. Limits are lowered so one input cannot take the fuzzer's
/// memory: a file asking for more must fail with a `ParquetError` like any other bad file.
enum ParquetTarget: FuzzTarget {
    static let name = "parquet"

    static let limits: ParquetLimits = {
        var l = ParquetLimits()
        l.maxFooterBytes = 1 << 20
        l.maxFooterEntries = 100_000
        l.maxPageBytes = 8 << 20
        l.maxRowGroupBytes = 64 << 20
        return l
    }()

    static func run(_ bytes: UnsafeRawBufferPointer) {
        do {
            let file = try ParquetFile(bytes: Array(bytes), name: "fuzz.parquet", limits: limits)
            var rows = 0
            try file.forEachRow { row, n in
                invariant(row.first == UInt8(ascii: "{") && row.last == UInt8(ascii: "}"), "row \(n) is not a JSON object")
                rows += 1
            }
            invariant(rows == file.rowCount, "\(rows) rows read, the footer says \(file.rowCount)")
        } catch is ParquetError {
            return
        } catch {
            invariant(false, "untyped error \(error)")
        }
    }
}
