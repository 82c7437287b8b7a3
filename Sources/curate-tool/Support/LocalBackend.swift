import Curation

/// The `local:DIR` backend: a model loaded from DIR and run in this process. Kept in its own file so the
/// Trainer's generator can be wired in here without touching the commands that use it.
func makeLocalGenerator(path: String) throws -> Generator {
    throw CLIFailure(description: "local backend: model generation is not available in this build yet")
}
