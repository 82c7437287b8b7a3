import ArgumentParser
import Curation
import Foundation

/// A generation backend named on the command line: `local:DIR` (a model run in this process) or
/// `openai:URL` (an OpenAI-compatible server, with the SQLite request cache).
enum BackendSpec: ExpressibleByArgument, CustomStringConvertible {
    case local(String)
    case openai(String)

    init?(argument: String) {
        if argument.hasPrefix("local:") {
            let p = String(argument.dropFirst(6))
            guard !p.isEmpty else { return nil }
            self = .local(p)
        } else if argument.hasPrefix("openai:") {
            let u = String(argument.dropFirst(7))
            guard !u.isEmpty else { return nil }
            self = .openai(u)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .local(let p): return "local:\(p)"
        case .openai(let u): return "openai:\(u)"
        }
    }

    /// Opens the backend. For `openai:`, `cachePath` is the request cache (a re-run sends nothing that
    /// was answered before).
    func open(model: String, cachePath: String, concurrency: Int) throws -> Generator {
        switch self {
        case .local(let p): return try makeLocalGenerator(path: p)
        case .openai(let u):
            let cache = try RequestCache(path: cachePath)
            return try HTTPGenerator(settings: .init(baseURL: u, model: model, concurrency: concurrency), cache: cache)
        }
    }
}
