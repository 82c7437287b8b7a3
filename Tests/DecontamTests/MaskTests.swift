import Curation
import Decontam
import Foundation
import Testing

/// NeMo Curator's masking: cut the match plus 200 characters each side; pieces under 200 characters go;
/// a document cut more than 10 times goes.
@Suite struct MaskTests {
    static let evalText = words(30, from: 7000)
    /// Filler of exactly `n` characters with no eval n-grams.
    static func filler(_ n: Int, _ seed: Int) -> String {
        var s = ""
        var k = 0
        while s.count < n { s += "f\(seed)x\(k) "; k += 1 }
        return String(s.prefix(n))
    }

    func run(_ records: [JSONObject]) throws -> (ScanReport, [JSONObject], [JSONObject]) {
        let dir = tempDir()
        let index = try buildIndex(dir, [("ev", [Self.evalText])])
        var out = ""
        let (report, _) = try scan(dir, index: index, records: records) { $0.action = .mask; out = $0.output }
        return (report, try outputRecords(out), try outputRecords(out, prefix: "removed"))
    }

    @Test func cutsMatchAndContext() throws {
        let left = Self.filler(500, 1), right = Self.filler(450, 2)
        let (report, kept, removed) = try run([doc("d", left + " " + Self.evalText + " " + right), doc("clean", Self.filler(300, 3))])
        #expect(removed.isEmpty)
        let pieces = kept.filter { $0["id"]?.stringValue?.hasPrefix("d#p") == true }
        #expect(pieces.map { $0["id"]?.stringValue ?? "" } == ["d#p1", "d#p2"])
        // 200 characters of context go on each side of the matched span.
        // (the eval text starts at character 501, after the space, and is followed by a space)
        #expect(pieces[0]["text"]?.stringValue == String(left.prefix(301)))
        #expect(pieces[1]["text"]?.stringValue == String(right.suffix(251)))
        #expect(kept.contains { $0["id"]?.stringValue == "clean" })
        #expect(report.stage.extra["pieces_written"]?.intValue == 2)
        #expect(report.stage.extra["documents_masked"]?.intValue == 1)
        #expect(report.stage.recordsIn == 2 && report.stage.recordsOut == 2)
    }

    @Test func shortPiecesAreDropped() throws {
        let (report, kept, removed) = try run([doc("d", Self.filler(500, 1) + " " + Self.evalText + " " + Self.filler(390, 2))])
        // left: 501 - 200 = 301 characters kept; right: 391 - 200 = 191 < 200, dropped
        #expect(kept.map { $0["text"]?.stringValue?.count ?? 0 } == [301])
        #expect(kept.map { $0["id"]?.stringValue ?? "" } == ["d#p1"])
        #expect(removed.isEmpty && report.stage.droppedTotal == 0)
        let (r2, k2, rm2) = try run([doc("e", Self.filler(100, 1) + " " + Self.evalText + " " + Self.filler(100, 2))])
        #expect(k2.isEmpty && rm2.count == 1 && r2.stage.dropped["mask:no-piece-left"] == 1)
    }

    @Test func tooManyCutsDropsTheDocument() throws {
        func docWith(_ cuts: Int) -> String {
            (0..<cuts).map { Self.filler(600, $0) + " " + Self.evalText + " " }.joined() + Self.filler(600, 99)
        }
        let (_, kept10, _) = try run([doc("ten", docWith(10))])
        #expect(kept10.count == 11) // 10 cuts, 11 pieces
        let (report, kept11, removed) = try run([doc("eleven", docWith(11))])
        #expect(kept11.isEmpty && removed.count == 1)
        #expect(report.stage.dropped["mask:cut-too-often"] == 1)
    }

    @Test func maskRefusesOtherSchemas() throws {
        let dir = tempDir()
        let index = try buildIndex(dir, [("ev", [Self.evalText])])
        #expect(throws: CurationError.self) {
            _ = try scan(dir, index: index, records: [chat("c", "hello there")]) { $0.action = .mask }
        }
        do {
            _ = try scan(dir, index: index, records: [chat("c", "hello there")]) { $0.action = .mask }
        } catch let e as CurationError {
            #expect(e.description.contains("documents only"))
        }
    }

    @Test func maskerUnitsAreScalars() {
        let text = Array((String(repeating: "é", count: 500) + "MATCH" + String(repeating: "ü", count: 450)).utf8)
        // "MATCH" is bytes 1000..<1005 but characters 500..<505.
        guard case .pieces(let p, let cuts) = Masker.cut(text, spans: [1000..<1005]) else { Issue.record("dropped"); return }
        #expect(cuts == 1)
        #expect(p == [String(repeating: "é", count: 300), String(repeating: "ü", count: 250)])
    }
}
