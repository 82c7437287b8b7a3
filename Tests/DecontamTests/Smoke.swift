import Testing
import Decontam

@Test func moduleLoads() { #expect(Bool(true)) }
