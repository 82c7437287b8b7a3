import Curation
import Trainer

/// The `local:DIR` backend: a model loaded from DIR (HF folder or GGUF) and run in this process. Kept in
/// its own file so the commands that use a backend need not know about the Trainer.
func makeLocalGenerator(path: String) throws -> Generator {
    try LocalGenerator(path: path)
}
