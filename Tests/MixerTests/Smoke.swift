import Testing
import Mixer

@Test func moduleLoads() { #expect(Bool(true)) }
