/// Weighted mixing of sources (issue 5). Builds on Curation.
import Curation
public enum Mixer { public static let version = "0.1.0" }
