import Curation
import Foundation
import Mixer

/// Refuses a run whose inputs and outputs overlap, before anything runs: a source inside the run
/// directory (every stage writes there, so a re-run would read a stage's output back: 80 -> 160 ->
/// 240 records, issue 13 item 11), or a run directory inside a source directory (the source's
/// recursive listing would pick the outputs up on the next run).
enum RunPathCheck {
    static func check(_ recipe: RunRecipe, output: String) throws {
        var sources: [(entry: String, line: Int, files: [String], written: [String])] = recipe.sources.map {
            ("sources \"\($0.name)\"", $0.line, $0.files, $0.paths)
        }
        for stage in recipe.stages {
            guard let mix = stage.runner as? MixStageRunner else { continue }
            for (i, s) in mix.recipe.sources.enumerated() {
                if case .files(let files) = s.origin {
                    sources.append(("\(stage.spec.entry) sources[\(i)] \"\(s.name)\"", s.line, files, []))
                }
            }
        }
        for s in sources {
            if let inside = (s.files + s.written).first(where: { PathOverlap.isInside($0, directory: output) }) {
                throw RecipeError(file: recipe.file, line: s.line, column: 1, entry: s.entry,
                                  message: "\(inside) lies inside the run directory \(output): stages write there, so a re-run would read "
                                    + "their outputs back as input; move the source or choose another run directory")
            }
            var isDirectory: ObjCBool = false
            if let holder = s.written.first(where: {
                FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue && PathOverlap.isInside(output, directory: $0)
            }) {
                throw RecipeError(file: recipe.file, line: s.line, column: 1, entry: s.entry,
                                  message: "the run directory \(output) lies inside the source directory \(holder): the next run would read "
                                    + "the stages' outputs as part of the source; choose a run directory outside it")
            }
        }
    }
}
