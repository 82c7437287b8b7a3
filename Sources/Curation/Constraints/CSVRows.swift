/// CSV rows read the way Python's `csv.reader` reads them with the default dialect (IFBench's CSV
/// instructions are defined by it): a quote opens a quoted field only at the start of a field, `""`
/// inside one is a literal quote, characters after a closing quote are kept, an empty line is an empty
/// row, and a final newline does not make an extra row.
enum CSVRows {
    static func parse(_ text: String, delimiter: Unicode.Scalar = ",") -> [[String]] {
        enum State { case startRecord, startField, inField, inQuoted, quoteInQuoted }
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var state = State.startRecord
        var scalars = Array(text.unicodeScalars)
        // Treat "\r\n" as one line end.
        scalars = scalars.enumerated().compactMap { i, u in
            (u == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n") ? nil : u
        }
        func saveField() { row.append(String(field)); field = String.UnicodeScalarView() }
        func endRecord() { rows.append(row); row = [] }
        for u in scalars {
            let lineEnd = u == "\n" || u == "\r"
            switch state {
            case .startRecord:
                if lineEnd { endRecord(); continue }
                state = .startField
                fallthrough
            case .startField:
                if lineEnd { saveField(); endRecord(); state = .startRecord }
                else if u == "\"" { state = .inQuoted }
                else if u == delimiter { saveField() }
                else { field.append(u); state = .inField }
            case .inField:
                if lineEnd { saveField(); endRecord(); state = .startRecord }
                else if u == delimiter { saveField(); state = .startField }
                else { field.append(u) }
            case .inQuoted:
                if u == "\"" { state = .quoteInQuoted } else { field.append(u) }
            case .quoteInQuoted:
                if u == "\"" { field.append(u); state = .inQuoted }
                else if u == delimiter { saveField(); state = .startField }
                else if lineEnd { saveField(); endRecord(); state = .startRecord }
                else { field.append(u); state = .inField }
            }
        }
        if state != .startRecord { saveField(); endRecord() }
        return rows
    }
}
