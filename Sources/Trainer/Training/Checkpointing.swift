/// Saving and restoring the parts of a resumable checkpoint shared by SFT and DPO.
public enum Checkpointing {
    public static func save(model: LlamaModel, optimizer: AdamW, state: TrainerState, to directory: String,
                            extraFiles: [String: [UInt8]] = [:]) throws {
        try HFCheckpoint.save(model, to: directory, extraFiles: extraFiles)
        try optimizer.save(to: directory + "/optimizer.safetensors", layout: model.layout)
        // The state goes last: a checkpoint without it is incomplete and is not resumed from.
        try state.save(to: directory + "/trainer_state.json")
    }

    /// Loads weights and moments into `model` and `optimizer`; returns the saved state.
    public static func restore(model: LlamaModel, optimizer: AdamW, from directory: String) throws -> TrainerState {
        let st = try TrainerState.load(from: directory + "/trainer_state.json")
        let saved = try HFCheckpoint.load(from: directory)
        guard saved.config == model.config else {
            throw TrainerError.invalidConfig("\(directory): the checkpoint's config differs from the model being trained")
        }
        model.parameters.copy(from: saved.parameters)
        model.quantizedWeights = nil  // the blocks from the load no longer describe these weights
        try optimizer.load(from: directory + "/optimizer.safetensors", layout: model.layout)
        return st
    }
}
