/// A zero-initialised, 64-byte aligned run of `Float`s that owns its memory.
///
/// Model weights, gradients, optimiser moments and activations are all flat buffers (llm.c style):
/// kernels take raw pointers into them, so hot loops see no reference counting, bounds checks or
/// existentials. The class is the single owner; views are pointer + count pairs.
public final class FloatBuffer: @unchecked Sendable {
    /// Number of floats.
    public let count: Int
    /// Start of the storage; valid for `count` floats while the buffer lives.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` floats set to zero.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Copies an array into a new buffer.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit { pointer.deallocate() }

    /// The contents as a buffer pointer (no copy).
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// A copy of the contents.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// Copies another buffer of the same size into this one.
    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "FloatBuffer.copy: size mismatch")
        pointer.update(from: other.pointer, count: count)
    }

    /// Element access for tests and small loops; hot paths use `pointer`.
    public subscript(i: Int) -> Float {
        get { precondition(i >= 0 && i < count); return pointer[i] }
        set { precondition(i >= 0 && i < count); pointer[i] = newValue }
    }
}
