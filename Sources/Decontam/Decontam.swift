/// n-gram decontamination against eval sets (issue 3). Builds on Curation.
import Curation
public enum Decontam { public static let version = "0.1.0" }
