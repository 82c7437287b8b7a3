import Curation
import Foundation
import Testing

/// `curate-tool ablate`: a lab file run end to end at test size (Fixtures/labs/tiny.yaml: three variants x
/// two seeds of a 2-layer model), the plan, shared stages, resume after a kill, earlier runs, bad files.
@Suite(.serialized) struct AblateCLITests {
    static let lab = CLI.fixture("labs/tiny.yaml")

    /// ROOT/labs and ROOT/recipes/tiny-llama.json, so a copy of the tiny lab's files in ROOT/labs resolves
    /// its model config as the fixture does.
    static func copyTinyModel(to root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/labs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/recipes", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.fixture("recipes/tiny-llama.json"), toPath: root + "/recipes/tiny-llama.json")
    }

    static func report(_ dir: String) throws -> JSONValue {
        try JSONParser.parse([UInt8](try #require(FileManager.default.contents(atPath: dir + "/report.json"))))
    }

    @Test func dryRunPrintsThePlanAndRunsNothing() throws {
        let dir = CLI.tempDir("ablate-dry")
        let r = try CLI.run(["ablate", Self.lab, "-o", dir + "/lab", "--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 variants x 2 seeds = 6 recipe runs"), "\(r.stdout)")
        // Per seed: synth-eval, synth-pretrain and base are shared by all three variants, synth-train by two.
        #expect(r.stdout.contains("36 in all, 22 distinct computations (14 shared)"), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/lab/runs.sqlite"))
        let quick = try CLI.run(["ablate", Self.lab, "-o", dir + "/lab", "--dry-run", "--quick"])
        #expect(quick.stdout.contains("3 variants x 1 seeds = 3 recipe runs"), "\(quick.stdout)")
        // --variants: a subset, the baseline always included.
        let subset = try CLI.run(["ablate", Self.lab, "-o", dir + "/lab", "--dry-run", "--variants", "more-steps"])
        #expect(subset.stdout.contains("2 variants x 2 seeds = 4 recipe runs"), "\(subset.stdout) \(subset.stderr)")
        let unknown = try CLI.run(["ablate", Self.lab, "-o", dir + "/lab", "--dry-run", "--variants", "fewer-steps"])
        #expect(unknown.status != 0 && unknown.stderr.contains("\"fewer-steps\" is not a variant"), "\(unknown.stderr)")
    }

    /// Every lab file the project ships plans without error (what CI runs for each lab).
    @Test func everyShippedLabFilePlans() throws {
        var labs: [String] = [Self.lab]
        let labsDir = CLI.root + "/labs"
        for f in (try? FileManager.default.contentsOfDirectory(atPath: labsDir)) ?? [] where f.hasSuffix(".yaml") && !f.hasSuffix(".recipe.yaml") {
            labs.append(labsDir + "/" + f)
        }
        for lab in labs {
            for extra in [[], ["--quick"]] {
                let r = try CLI.run(["ablate", lab, "-o", CLI.tempDir("ablate-plan"), "--dry-run"] + extra)
                #expect(r.status == 0 && r.stdout.contains("recipe runs"), "\(lab) \(extra): \(r.stderr)")
            }
        }
    }

    @Test func labRunsEveryVariantAndComputesSharedStagesOnce() throws {
        let dir = CLI.tempDir("ablate-run") + "/lab"
        let r = try CLI.run(["ablate", Self.lab, "-o", dir, "--quiet", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try Self.report(dir)
        let metrics = try #require(report["metrics"]?.arrayValue)
        #expect(metrics.compactMap { $0["name"]?.stringValue } == ["accuracy", "share_removed", "final_loss", "accuracy_minus_loss"])
        for m in metrics {
            let variants = try #require(m["variants"]?.arrayValue)
            #expect(variants.compactMap { $0["variant"]?.stringValue } == ["planted", "no-planting", "more-steps"])
            for v in variants {
                #expect(v["n_seeds"]?.intValue == 2)
                #expect(v["per_seed"]?.arrayValue?.count == 2)
                #expect(v["ci95"]?.arrayValue?.count == 2)
            }
        }
        // Per-item metric: 24 eval items per seed; per-run metrics: one number per seed.
        #expect(metrics[0]["variants"]?.arrayValue?.first?["n_items"]?.intValue == 48)
        #expect(metrics[2]["variants"]?.arrayValue?.first?["n_items"]?.intValue == 2)
        // The difference metric is per run: accuracy minus final loss, seed by seed.
        func perSeed(_ m: Int) -> [Double] {
            (metrics[m]["variants"]?.arrayValue?.first?["per_seed"]?.arrayValue ?? []).compactMap { $0.doubleValue }
        }
        let acc = perSeed(0), loss = perSeed(2), diff = perSeed(3)
        #expect(acc.count == 2 && loss.count == 2 && diff.count == 2)
        for i in 0..<min(2, acc.count, loss.count, diff.count) { #expect(abs(diff[i] - (acc[i] - loss[i])) < 1e-5) }
        // The fine-tune reads every record of the pool it is given: nothing removed.
        #expect(metrics[1]["variants"]?.arrayValue?.allSatisfy { $0["mean"]?.doubleValue == 0 } == true)
        let claims = try #require(report["claims"]?.arrayValue)
        #expect(claims.count == 1 && ["supported", "contradicted", "inconclusive"].contains(claims[0]["verdict"]?.stringValue ?? ""))
        #expect(report["lab_hash"]?.stringValue?.count == 32)
        for file in ["report.md", "metric-accuracy.svg", "loss-finetune.svg", "thinking-accuracy.svg", "recipes/more-steps.seed-2.yaml"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }

        // The run store shows each distinct stage computed once: 6 runs, 36 stage rows, 22 `done`, each
        // fingerprint done once, the rest skipped (reused).
        let store = try RunStore(path: dir + "/runs.sqlite")
        let runs = try store.runs()
        #expect(runs.count == 6)
        let stages = try runs.flatMap { try store.stages(run: $0.id) }
        #expect(stages.count == 36)
        let done = stages.filter { $0.status == .done }
        #expect(done.count == 22)
        #expect(Set(done.map(\.fingerprint)).count == done.count)
        #expect(stages.filter { $0.status == .skipped }.count == 14)
        #expect(try store.labRuns(lab: "tiny").map(\.status) == ["succeeded"])

        // A variant recipe runs on its own with `run`, as written.
        let alone = try CLI.run(["run", dir + "/recipes/no-planting.seed-1.yaml", "-o", dir + "/alone", "--quiet"])
        #expect(alone.status == 0, "\(alone.stderr)")
    }

    /// A lab killed inside its runs (at the 3rd stage run, then at the 12th of the resumed process) and
    /// run again gives the report of an uninterrupted run, byte for byte.
    @Test func killedLabResumesToTheSameReport() throws {
        let base = CLI.tempDir("ablate-kill")
        let clean = try CLI.run(["ablate", Self.lab, "-o", base + "/clean", "--quiet", "--threads", "2"])
        #expect(clean.status == 0, "\(clean.stderr)")
        for at in ["3", "12"] {
            let killed = try CLI.run(["ablate", Self.lab, "-o", base + "/killed", "--quiet", "--threads", "2"], env: ["CURATE_TEST_KILL_AT_STAGE": at])
            #expect(killed.signaled, "the lab should die by SIGKILL (release builds need -Xswiftc -DCURATE_TEST_HOOKS): \(killed.status) \(killed.stderr)")
            #expect(!FileManager.default.fileExists(atPath: base + "/killed/report.json"))
        }
        let resumed = try CLI.run(["ablate", Self.lab, "-o", base + "/killed", "--quiet", "--threads", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["report.json", "report.md", "metric-final_loss.svg", "loss-finetune.svg"] {
            let a = FileManager.default.contents(atPath: base + "/clean/" + file)
            let b = FileManager.default.contents(atPath: base + "/killed/" + file)
            #expect(a != nil && a == b, "\(file) differs after the resume")
        }
        let store = try RunStore(path: base + "/killed/runs.sqlite")
        #expect(try store.labRuns(lab: "tiny").last?.status == "succeeded")
    }

    /// A lab file changed after a run is a new lab hash; its report lists the earlier run and its verdicts.
    @Test func reportListsEarlierRunsWithOtherSettings() throws {
        let root = CLI.tempDir("ablate-earlier")
        try Self.copyTinyModel(to: root)
        try FileManager.default.copyItem(atPath: CLI.fixture("labs/tiny.recipe.yaml"), toPath: root + "/labs/tiny.recipe.yaml")
        let text = try String(contentsOfFile: Self.lab, encoding: .utf8)
        try text.write(toFile: root + "/labs/tiny.yaml", atomically: true, encoding: .utf8)
        let first = try CLI.run(["ablate", root + "/labs/tiny.yaml", "-o", root + "/out", "--quiet", "--seeds", "1,2"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstHash = try #require(try Self.report(root + "/out")["lab_hash"]?.stringValue)
        #expect(try Self.report(root + "/out")["earlier_runs"]?.arrayValue?.isEmpty == true)
        try text.replacingOccurrences(of: "margin: 0\n", with: "margin: 0.5\n").write(toFile: root + "/labs/tiny.yaml", atomically: true, encoding: .utf8)
        let second = try CLI.run(["ablate", root + "/labs/tiny.yaml", "-o", root + "/out", "--quiet", "--seeds", "1,2"])
        #expect(second.status == 0, "\(second.stderr)")
        let report = try Self.report(root + "/out")
        #expect(report["lab_hash"]?.stringValue != firstHash)
        let earlier = try #require(report["earlier_runs"]?.arrayValue)
        #expect(earlier.count == 1 && earlier.first?["lab_hash"]?.stringValue == firstHash)
        #expect(earlier.first?["verdicts"]?["More steps lower the final loss"]?.stringValue != nil)
        let md = try String(contentsOfFile: root + "/out/report.md", encoding: .utf8)
        #expect(md.contains("Earlier runs of this lab with other settings") && md.contains(firstHash))
    }

    /// CI's run of the decontamination lab at its `--quick` size: the same machinery (synth stages, a base
    /// model, label cleaning, decontamination from the eval stage, six fine-tunes, evals, the report) at a
    /// tiny size. It asserts the machinery, not the science.
    @Test func decontaminationLabRunsQuick() throws {
        let dir = CLI.tempDir("ablate-decontam-quick") + "/lab"
        let started = Date()
        let r = try CLI.run(["ablate", CLI.root + "/labs/decontamination.yaml", "-o", dir, "--quick", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 240, "the quick lab took \(seconds) s (target: 2 minutes)")
        let report = try Self.report(dir)
        let metrics = try #require(report["metrics"]?.arrayValue)
        let names = metrics.compactMap { $0["name"]?.stringValue }
        #expect(names.contains("inflation") && names.contains("false_positive_rate") && names.contains("planted_accuracy"))
        for m in metrics { #expect(m["variants"]?.arrayValue?.count == 6, "\(m["name"]?.stringValue ?? "")") }
        func mean(_ metric: String, _ variant: String) -> Double? {
            metrics.first { $0["name"]?.stringValue == metric }?["variants"]?.arrayValue?.first { $0["variant"]?.stringValue == variant }?["mean"]?.doubleValue
        }
        // The mechanics, which hold at any size: label cleaning removes every contamination copy and nothing
        // else; the undecontaminated pools lose nothing; the default rule removes contamination copies.
        #expect(mean("contamination_removed", "label-cleaned") == 1)
        #expect(mean("false_positive_rate", "label-cleaned") == 0)
        #expect(mean("removed_share", "dose-32") == 0)
        #expect((mean("contamination_removed", "decontaminated") ?? 0) > 0.5)
        #expect((report["claims"]?.arrayValue?.count ?? 0) == 7)
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        #expect(md.contains("--quick run"))
    }

    /// The self-consistency and s1-selection labs at their `--quick` size. Every variant x seed pair starts from
    /// the same init (the base stage's output), is scored on the same eval items (synth-eval's output, the eval
    /// stage's input) and trains in the same order (the fine-tune's seed), as the run store records them; and
    /// each lab's own mechanics hold at any size.
    @Test(arguments: ["self-consistency", "s1-selection", "budget-forcing", "midtraining"]) func labVariantsShareInitEvalItemsAndOrder(lab: String) throws {
        let dir = CLI.tempDir("ablate-\(lab)-quick") + "/lab"
        let r = try CLI.run(["ablate", CLI.root + "/labs/\(lab).yaml", "-o", dir, "--quick", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let store = try RunStore(path: dir + "/runs.sqlite")
        var bySeed: [String: [String: [StageRecord]]] = [:]
        for run in try store.runs() {
            let file = (run.recipe as NSString).lastPathComponent          // VARIANT.seed-S.yaml
            let parts = String(file.dropLast(5)).components(separatedBy: ".seed-")
            try #require(parts.count == 2, "\(file)")
            bySeed[parts[1], default: [:]][parts[0]] = try store.stages(run: run.id)
        }
        let variants = ["self-consistency": 6, "s1-selection": 4, "budget-forcing": 13, "midtraining": 3][lab] ?? 0
        // The shared starting model and the fine-tune every variant ends with: the mid-training lab's general
        // model is "pretrain" and its last fine-tune "posttrain", whose starting model is what the variants change.
        let (initStage, tuneStage) = lab == "midtraining" ? ("pretrain", "posttrain") : ("base", "finetune")
        #expect(bySeed.count == 1 && bySeed.values.allSatisfy { $0.count == variants }, "\(bySeed.keys)")
        for (seed, runs) in bySeed {
            func same(_ what: String, _ value: ([StageRecord]) -> String?) {
                let values = runs.mapValues(value)
                #expect(values.values.allSatisfy { $0 != nil }, "seed \(seed): \(what) missing in \(values)")
                #expect(Set(values.values.compactMap { $0 }).count == 1, "seed \(seed): \(what) differs: \(values)")
            }
            same("init (\(initStage) output)") { $0.first { $0.name == initStage }?.outputHash }
            same("eval items (synth-eval output)") { $0.first { $0.name == "synth-eval" }?.outputHash }
            same("eval stage's items") { $0.first { $0.name == "eval" }?.inputs.first { $0.name == "synth-eval" }?.contentHash }
            if lab != "midtraining" {
                same("fine-tune's starting model") { $0.first { $0.name == "finetune" }?.inputs.first { $0.name == "base" }?.contentHash }
            }
            same("fine-tune's order seed") { stages in
                guard let ft = stages.first(where: { $0.name == tuneStage }), let o = try? JSONParser.parse(Array(ft.settings.utf8)) else { return nil }
                return o["seed"].map { JSONWriter.string($0) } ?? "run seed"
            }
        }
        let report = try Self.report(dir)
        let metrics = try #require(report["metrics"]?.arrayValue)
        func mean(_ metric: String, _ variant: String) -> Double? {
            metrics.first { $0["name"]?.stringValue == metric }?["variants"]?.arrayValue?.first { $0["variant"]?.stringValue == variant }?["mean"]?.doubleValue
        }
        if lab == "self-consistency" {
            // All problems: nothing removed; the random control has exactly as many records as the vote kept.
            #expect(mean("removed_share", "all") == 0)
            let voted = try #require(mean("training_records", "voted-k8"))
            #expect(voted > 0 && voted < (mean("training_records", "all") ?? 0))
            #expect(mean("training_records", "random-subset") == voted)
        } else if lab == "budget-forcing" {
            // Only decoding differs: one fine-tune per seed, shared by all 13 variants; a thinking budget of 96
            // tokens lets the model think at least as long as the natural run (capped by max_new_tokens).
            for runs in bySeed.values {
                #expect(Set(runs.values.compactMap { $0.first { $0.name == "finetune" }?.outputHash }).count == 1)
            }
            #expect((mean("thinking_tokens", "max-96") ?? -1) >= (mean("thinking_tokens", "natural") ?? 0))
        } else if lab == "midtraining" {
            // The anneals start from the general model and differ by their mix; without an anneal the post-training
            // starts from the general model itself.
            for runs in bySeed.values {
                let general = runs["no-anneal"]?.first { $0.name == "pretrain" }?.outputHash
                #expect(general != nil)
                #expect(runs["no-anneal"]?.first { $0.name == "anneal" } == nil)
                #expect(runs["no-anneal"]?.first { $0.name == "posttrain" }?.inputs.first?.contentHash == general)
                let anneals = ["math-anneal", "same-mix"].compactMap { v in runs[v]?.first { $0.name == "anneal" } }
                #expect(anneals.count == 2 && anneals.allSatisfy { $0.inputs.first?.contentHash == general })
                #expect(Set(anneals.map(\.outputHash)).count == 2)
            }
        } else {
            // s1's quality filter removes every defective item; random selection keeps some.
            #expect(mean("defects_removed", "s1") == 1)
            #expect((mean("defects_removed", "random") ?? 1) < 1)
        }
    }

    /// `on_empty: keep`: a fine-tune whose pool was filtered down to nothing writes its starting model
    /// unchanged (0 steps) and the eval after it runs; without it the stage fails and says why.
    @Test func emptyTrainingSetKeepsTheModelWhenAsked() throws {
        let root = CLI.tempDir("ablate-empty")
        try Self.copyTinyModel(to: root)
        let base = try String(contentsOfFile: CLI.fixture("labs/tiny.recipe.yaml"), encoding: .utf8)
        let nothing = """
              - name: nothing
                kind: mix
                inputs: [synth-train]
                sources:
                  - name: train
                    input: synth-train
                    fraction: 1.0
                    filters:
                      - {field: synth.split, equals: nowhere}
              - name: finetune
            """
        let recipe = base.replacingOccurrences(of: "  - name: finetune\n", with: nothing + "\n")
            .replacingOccurrences(of: "inputs: [base, synth-train]", with: "inputs: [base, nothing]")
        #expect(recipe.contains("inputs: [base, nothing]"))
        let failing = root + "/labs/fail.yaml", keeping = root + "/labs/keep.yaml"
        try recipe.write(toFile: failing, atomically: true, encoding: .utf8)
        try recipe.replacingOccurrences(of: "    model: base\n", with: "    model: base\n    on_empty: keep\n").write(toFile: keeping, atomically: true, encoding: .utf8)
        let failed = try CLI.run(["run", failing, "-o", root + "/fail", "--quiet"])
        #expect(failed.status != 0 && !failed.signaled && failed.stderr.contains("no training examples"), "\(failed.stderr)")
        let kept = try CLI.run(["run", keeping, "-o", root + "/keep", "--quiet", "--json"])
        #expect(kept.status == 0, "\(kept.stderr)")
        let store = try RunStore(path: root + "/keep/runs.sqlite")
        let finetune = try #require(try store.stage(run: 1, name: "finetune"))
        #expect(finetune.status == .done && finetune.recordsIn == 0)
        #expect(try store.stage(run: 1, name: "eval")?.status == .done)
        let report = try JSONParser.parse([UInt8](try #require(FileManager.default.contents(atPath: root + "/keep/finetune/report.json"))))
        #expect(report["steps"]?.intValue == 0 && report["empty_training_set"]?.boolValue == true)
    }

    @Test func badLabFilesNameTheFileLineAndReason() throws {
        let root = CLI.tempDir("ablate-bad")
        try Self.copyTinyModel(to: root)
        try FileManager.default.copyItem(atPath: CLI.fixture("labs/tiny.recipe.yaml"), toPath: root + "/labs/tiny.recipe.yaml")
        let text = try String(contentsOfFile: Self.lab, encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("set: {finetune: {max_steps: 4}}", "set: {fine-tune: {max_steps: 4}}", "no stage \"fine-tune\""),
            ("set: {finetune: {max_steps: 4}}", "set: {finetune: {max_stepz: 4}}", "max_stepz"),
            ("baseline: planted", "baseline: nothing", "baseline \"nothing\" is not one of the variants"),
            ("    eval: eval\n", "    eval: evaluation\n", "does not have"),
            ("    variant: more-steps\n", "    variant: fewer-steps\n", "unknown variant \"fewer-steps\""),
            ("seeds: [1, 2]", "seeds: [1, 1]", "a seed is listed twice"),
        ]
        for (from, to, message) in cases {
            let bad = root + "/labs/bad.yaml"
            #expect(text.contains(from), "fixture changed: \(from)")
            try text.replacingOccurrences(of: from, with: to).write(toFile: bad, atomically: true, encoding: .utf8)
            let r = try CLI.run(["ablate", bad, "-o", root + "/out", "--dry-run"])
            #expect(r.status != 0 && !r.signaled, "\(to): \(r.stdout)")
            #expect(r.stderr.contains(message), "\(to): \(r.stderr)")
        }
        let seeds = try CLI.run(["ablate", Self.lab, "-o", root + "/out", "--dry-run", "--seeds", "1,x"])
        #expect(seeds.status != 0 && seeds.stderr.contains("--seeds"), "\(seeds.stderr)")
    }
}
