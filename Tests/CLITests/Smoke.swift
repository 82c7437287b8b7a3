import Testing
import Curation

@Test func moduleLoads() { #expect(Bool(true)) }
