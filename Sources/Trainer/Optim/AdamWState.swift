import Foundation

extension AdamW {
    /// Saves the moments (as `m.<tensor name>` / `v.<tensor name>`) and the step count in a
    /// safetensors file, so a resumed run continues bit-exactly.
    public func save(to path: String, layout: ParameterLayout) throws {
        var entries: [SafetensorsFile.Entry] = []
        for t in layout.tensors {
            entries.append(.init(name: "m." + t.name, shape: t.shape, values: UnsafeBufferPointer(start: m.pointer + t.offset, count: t.count)))
            entries.append(.init(name: "v." + t.name, shape: t.shape, values: UnsafeBufferPointer(start: v.pointer + t.offset, count: t.count)))
        }
        let s = settings
        try SafetensorsFile.write(entries, metadata: [
            "format": "pt", "step": String(step), "beta1": String(s.beta1), "beta2": String(s.beta2),
            "eps": String(s.eps), "weight_decay": String(s.weightDecay),
        ], to: path)
    }

    /// Restores moments and step saved by `save(to:layout:)` for the same layout; the settings stored
    /// in the file replace the current ones.
    public func load(from path: String, layout: ParameterLayout) throws {
        let f = try SafetensorsFile(path: path)
        guard let stepText = f.metadata["step"], let st = Int(stepText), st >= 0 else {
            throw TrainerError.badFile(path: path, offset: nil, reason: "missing optimiser step in metadata")
        }
        for t in layout.tensors {
            for (prefix, buf) in [("m.", m), ("v.", v)] {
                guard let info = f.tensors[prefix + t.name], info.shape == t.shape, info.dtype == .F32 else {
                    throw TrainerError.tensorMismatch(path: path, name: prefix + t.name, reason: "missing or of the wrong shape")
                }
                try f.read(info, into: buf.pointer + t.offset)
            }
        }
        step = st
        if let b1 = f.metadata["beta1"].flatMap(Double.init), let b2 = f.metadata["beta2"].flatMap(Double.init),
           let e = f.metadata["eps"].flatMap(Double.init), let wd = f.metadata["weight_decay"].flatMap(Double.init) {
            settings = Settings(beta1: b1, beta2: b2, eps: e, weightDecay: wd)
        }
    }
}
