/// The compact CPU trainer (issue 6). Builds on Curation and OpenBLAS.
import Curation
public enum Trainer { public static let version = "0.1.0" }
