import Testing
import Trainer

@Test func moduleLoads() { #expect(Bool(true)) }
