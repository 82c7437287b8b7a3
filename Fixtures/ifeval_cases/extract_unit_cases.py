#!/usr/bin/env python3
"""Re-extracts the unit-test cases of IFEval and IFBench into JSONL fixtures.

Each reference project tests its checkers with absltest methods that bind an instruction
(`build_description(**kwargs)`) and assert a verdict on a response
(`assertTrue/assertFalse(instruction.check_following(response))` or
`assertEqual(instruction.check_following(response), expected)`). This script runs those test
files against stand-in modules: the instruction classes record their kwargs, `check_following`
returns a pending case, and the assertions record the expected verdict instead of checking
anything. Nothing of the reference checkers runs, so no NLTK, langdetect or syllapy is needed.

A case is kept only when the test's class is in the project's instruction registry; its id is
the registry's id for that class (some tests pass another id, e.g. IFBench's test of
`PrintMultiplesChecker` says 'format:no_bullets_bullets'), and the id the test passed is kept as
`test_instruction_id`. Cases whose class is not registered (IFEval's ConstrainedStartChecker,
RephraseChecker, KeySentenceChecker, RephraseParagraph) and checks under assertRaises are skipped
and listed on stderr.

Usage (paths to the upstream files; see Fixtures/README.md for the commits used):
  extract_unit_cases.py \
    --ifeval-test instructions_test.py --ifeval-instructions instructions.py \
    --ifeval-registry instructions_registry.py \
    --ifbench-test instructions_test.py --ifbench-instructions ifbench/instructions.py \
    --ifbench-classic ifbench/classic_instructions.py --ifbench-registry ifbench/instructions_registry.py \
    --out Fixtures/ifeval_cases
"""
import argparse
import ast
import json
import os
import sys
import types


class Pending:
    """A `check_following` call whose verdict an assertion has not yet given."""

    def __init__(self, inst, response):
        self.inst = inst
        self.response = response
        self.kwargs = dict(inst.kwargs)


def plain(value):
    """Kwargs as JSON: tuples become lists (IFEval passes keyword tuples)."""
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


class Recorder:
    """Collects the cases of one test file."""

    def __init__(self, source, registry):
        self.source = source
        self.registry = registry  # (module short name, class name) -> registry id
        self.cases = []
        self.skipped = {}
        self.current_test = None
        self.ordinal = 0
        self.raising = 0

    def record(self, pending, expected):
        if not isinstance(pending, Pending):
            return
        key = (pending.inst.module, pending.inst.cls)
        if self.raising:
            self.skipped[f"{self.current_test} (under assertRaises)"] = True
            return
        if key not in self.registry:
            self.skipped[f"{self.current_test} ({pending.inst.cls} is not in the registry)"] = True
            return
        self.ordinal += 1
        self.cases.append({
            "source": self.source,
            "test": self.current_test,
            "case": self.ordinal,
            "instruction_id": self.registry[key],
            "test_instruction_id": pending.inst.test_id,
            "kwargs": plain(pending.kwargs),
            "response": pending.response,
            "expected": bool(expected),
        })


def make_instruction_module(name, short, constants, recorder):
    module = types.ModuleType(name)
    for key, value in constants.items():
        setattr(module, key, value)
    module.langdetect = types.SimpleNamespace(DetectorFactory=types.SimpleNamespace(seed=0))

    def class_for(cls_name):
        class Stub:
            def __init__(self, instruction_id):
                self.test_id = instruction_id
                self.module = short
                self.cls = cls_name
                self.kwargs = {}

            def build_description(self, **kwargs):
                self.kwargs = dict(kwargs)
                return " ".join(f"{k} {v}" for k, v in kwargs.items())

            def get_instruction_args(self):
                return dict(self.kwargs) or None

            def get_instruction_args_keys(self):
                return list(self.kwargs)

            def check_following(self, value):
                return Pending(self, value)
        Stub.__name__ = cls_name
        return Stub

    def getattr_(attr):
        if attr[:1].isupper():
            stub = class_for(attr)
            setattr(module, attr, stub)
            return stub
        raise AttributeError(attr)
    module.__getattr__ = getattr_
    return module


def make_absl(recorder):
    class SubTest:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    class Raises:
        def __enter__(self):
            recorder.raising += 1
            return self

        def __exit__(self, *exc):
            recorder.raising -= 1
            return True

    class TestCase:
        def subTest(self, *args, **kwargs):
            return SubTest()

        def assertTrue(self, value, msg=None):
            recorder.record(value, True)

        def assertFalse(self, value, msg=None):
            recorder.record(value, False)

        def assertEqual(self, first, second, msg=None):
            if isinstance(first, Pending):
                recorder.record(first, second)
            elif isinstance(second, Pending):
                recorder.record(second, first)

        def assertIn(self, *args, **kwargs):
            pass

        def assertRaises(self, *args, **kwargs):
            return Raises()

        def assertRaisesRegex(self, *args, **kwargs):
            return Raises()

    def named_parameters(*cases):
        if len(cases) == 1 and isinstance(cases[0], list):
            cases = cases[0]

        def wrap(fn):
            fn._cases = list(cases)
            return fn
        return wrap

    absl = types.ModuleType("absl")
    testing = types.ModuleType("absl.testing")
    absltest = types.ModuleType("absl.testing.absltest")
    parameterized = types.ModuleType("absl.testing.parameterized")
    absltest.TestCase = TestCase
    absltest.main = lambda *a, **k: None
    parameterized.TestCase = TestCase
    parameterized.named_parameters = named_parameters
    parameterized.parameters = named_parameters
    absl.testing = testing
    testing.absltest = absltest
    testing.parameterized = parameterized
    return {"absl": absl, "absl.testing": testing, "absl.testing.absltest": absltest,
            "absl.testing.parameterized": parameterized}


def literal_constants(path):
    """Module-level `NAME = <literal>` assignments of a reference module."""
    out = {}
    tree = ast.parse(open(path, encoding="utf-8").read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return out


def registry_map(path):
    """`INSTRUCTION_DICT` of a registry file as {(module, class): id}."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    prefixes = literal_constants(path)

    def key_text(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return key_text(node.left) + key_text(node.right)
        if isinstance(node, ast.Name):
            return prefixes[node.id]
        raise ValueError(ast.dump(node))

    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "INSTRUCTION_DICT":
            for k, v in zip(node.value.keys, node.value.values):
                out[(v.value.id, v.attr)] = key_text(k)
    return out


def run_tests(test_path, recorder, modules):
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        namespace = {"__name__": "reference_tests"}
        code = compile(open(test_path, encoding="utf-8").read(), test_path, "exec")
        exec(code, namespace)
        base = modules["absl.testing.absltest"].TestCase
        for cls_name, cls in list(namespace.items()):
            if not (isinstance(cls, type) and issubclass(cls, base) and cls is not base):
                continue
            for name, fn in list(vars(cls).items()):
                if not (name.startswith("test") and callable(fn)):
                    continue
                recorder.current_test = f"{cls_name}.{name}"
                recorder.ordinal = 0
                for params in getattr(fn, "_cases", [None]):
                    args = {k: v for k, v in (params or {}).items() if k != "testcase_name"}
                    fn(cls(), **args)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


def write(path, cases):
    with open(path, "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ["ifeval-test", "ifeval-instructions", "ifeval-registry", "ifbench-test",
                 "ifbench-instructions", "ifbench-classic", "ifbench-registry"]:
        p.add_argument("--" + name, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    ifeval = Recorder("ifeval", registry_map(a.ifeval_registry))
    pkg = types.ModuleType("instruction_following_eval")
    inst = make_instruction_module("instruction_following_eval.instructions", "instructions",
                                   literal_constants(a.ifeval_instructions), ifeval)
    pkg.instructions = inst
    modules = make_absl(ifeval)
    modules.update({"instruction_following_eval": pkg, "instruction_following_eval.instructions": inst})
    run_tests(a.ifeval_test, ifeval, modules)

    ifbench = Recorder("ifbench", registry_map(a.ifbench_registry))
    pkg = types.ModuleType("ifbench")
    inst = make_instruction_module("ifbench.instructions", "instructions",
                                   literal_constants(a.ifbench_instructions), ifbench)
    classic = make_instruction_module("ifbench.classic_instructions", "classic_instructions",
                                      literal_constants(a.ifbench_classic), ifbench)
    pkg.instructions, pkg.classic_instructions = inst, classic
    modules = make_absl(ifbench)
    modules.update({"ifbench": pkg, "ifbench.instructions": inst, "ifbench.classic_instructions": classic})
    run_tests(a.ifbench_test, ifbench, modules)

    os.makedirs(a.out, exist_ok=True)
    for rec, name in [(ifeval, "ifeval_unit_cases.jsonl"), (ifbench, "ifbench_unit_cases.jsonl")]:
        write(os.path.join(a.out, name), rec.cases)
        lang = sum(1 for c in rec.cases if c["instruction_id"] == "language:response_language")
        print(f"{name}: {len(rec.cases)} cases ({lang} language:response_language)", file=sys.stderr)
        for s in sorted(rec.skipped):
            print(f"  skipped: {s}", file=sys.stderr)


if __name__ == "__main__":
    main()
