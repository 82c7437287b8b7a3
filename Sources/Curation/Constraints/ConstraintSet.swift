/// One instruction of a constraint set: its registry id and its keyword arguments, kept as written
/// (including `null` entries, which IFBench writes for every unused kwarg) so that a set round-trips.
public struct Constraint: Sendable, Hashable {
    public var id: String
    public var kwargs: JSONObject

    public init(id: String, kwargs: JSONObject = JSONObject()) {
        self.id = id
        self.kwargs = kwargs
    }
}

/// A set of verifiable constraints in the one shape used everywhere (verify, persona synthesis, RLVR):
/// IFEval's own layout, `{"instruction_id_list": [id, ...], "kwargs": [{...}, ...]}`, with the two lists
/// aligned by position. IFBench uses the same layout.
public struct ConstraintSet: Sendable, Hashable {
    public var constraints: [Constraint]

    public init(_ constraints: [Constraint]) { self.constraints = constraints }

    public var ids: [String] { constraints.map(\.id) }

    /// Reads a constraint set from a decoded JSON value. Accepts the object itself or a string holding
    /// it (several RLVR datasets store `ground_truth` as JSON text). A `null` kwargs entry means `{}`;
    /// a missing `kwargs` list means every constraint takes none.
    public init(json: JSONValue) throws {
        var value = json
        if case .string(let text) = json {
            do { value = try JSONParser.parse(text) } catch {
                throw ConstraintError.malformedSet("the string is not JSON: \(error)")
            }
        }
        guard let object = value.objectValue else {
            throw ConstraintError.malformedSet("expected an object with instruction_id_list and kwargs, found \(value.typeName)")
        }
        guard let idsValue = object["instruction_id_list"] else {
            throw ConstraintError.malformedSet("missing field instruction_id_list")
        }
        guard let idList = idsValue.arrayValue else {
            throw ConstraintError.malformedSet("instruction_id_list must be an array, found \(idsValue.typeName)")
        }
        if idList.isEmpty { throw ConstraintError.malformedSet("instruction_id_list is empty") }
        var ids: [String] = []
        ids.reserveCapacity(idList.count)
        for (i, v) in idList.enumerated() {
            guard let s = v.stringValue, !s.isEmpty else {
                throw ConstraintError.malformedSet("instruction_id_list[\(i)] must be a non-empty string, found \(v.typeName)")
            }
            ids.append(s)
        }
        var kwargsList = [JSONObject](repeating: JSONObject(), count: ids.count)
        if let kwValue = object["kwargs"], !kwValue.isNull {
            guard let kwArray = kwValue.arrayValue else {
                throw ConstraintError.malformedSet("kwargs must be an array, found \(kwValue.typeName)")
            }
            guard kwArray.count == ids.count else {
                throw ConstraintError.malformedSet("kwargs has \(kwArray.count) entries but instruction_id_list has \(ids.count)")
            }
            for (i, entry) in kwArray.enumerated() {
                switch entry {
                case .null: continue
                case .object(let o): kwargsList[i] = o
                default:
                    throw ConstraintError.malformedSet("kwargs[\(i)] (for \(ids[i])) must be an object or null, found \(entry.typeName)")
                }
            }
        }
        constraints = zip(ids, kwargsList).map { Constraint(id: $0, kwargs: $1) }
    }

    /// The set in IFEval layout.
    public var json: JSONValue {
        var o = JSONObject()
        o["instruction_id_list"] = .array(constraints.map { .string($0.id) })
        o["kwargs"] = .array(constraints.map { .object($0.kwargs) })
        return .object(o)
    }
}
