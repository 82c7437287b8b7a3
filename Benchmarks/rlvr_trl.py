#!/usr/bin/env python3
"""The reference for Benchmarks/rlvr_bench.sh: the same RLVR workload with TRL's GRPOTrainer on CPU.

make  OUT_DIR --tokenizer TOKENIZER_JSON [--seed 0] [--prompts 8]
    Writes OUT_DIR/model (a tiny Llama, random init with a fixed seed, transformers' save_pretrained:
    config.json + model.safetensors, the tokenizer.json given, tokenizer_config.json and a ChatML chat
    template, the one `curate-tool` writes; the benchmark passes `--template chatml` to ours) and OUT_DIR/prompts.jsonl (verifiable ifeval records: a short
    GSM8K-style question, fixed here, and eight letter-frequency constraints; both sides read this file).
    The constraints' thresholds are set so a random model satisfies each about half the time: every group
    of completions then has rewards of different values (no zero-std group), so both trainers run the
    forward and backward pass over every completion (ours skips completions whose advantage is 0; TRL
    does not).
run   OUT_DIR --steps N [--threads 2] [--num-generations G] [--batch-size P] [--max-completion-length L] [--lr LR]
    GRPOTrainer (use_vllm=False, fp32, beta 0, loss_type grpo, num_iterations 1, temperature 1,
    generation_kwargs min_new_tokens = max_completion_length: EOS is masked, every completion has L
    tokens; gradient checkpointing off, TRL's faster setting) for N steps of P prompts x G completions.
    Prints per-step seconds, generation seconds and completion tokens, then (step 1 excluded as warm-up):
      trl steps/s: X
      trl rollout tokens/s: Y    (completion tokens / seconds inside model.generate)
      trl frac_reward_zero_std: Z
"""
import argparse, json, os, statistics, sys, time

# ChatML as `curate-tool` writes it (ModelFolder.jinja, no default system prompt).
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
          "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

QUESTIONS = [
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
    "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?",
    "Betty is saving money for a new wallet which costs $100. Betty has only half of the money she needs. How much more money does Betty need to buy the wallet?",
    "James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?",
    "Mark has a garden with flowers. He planted plants of three different colors in it. Ten of them are yellow. How many flowers are there?",
    "Albert is wondering how much pizza he can eat in one day. He buys 2 large pizzas and 2 small pizzas. How many pieces does he eat?",
    "Ken created a care package to send to his brother, who was away at boarding school. What was the final weight?",
    "Alexis is applying for a new job and bought a new set of business clothes to wear to the interview. How much did she pay?",
]
LETTERS = ["e", "a", "o", "t", "i", "n", "s", "r"]


def letter_fraction(text, kwargs):
    """IFEval's keywords:letter_frequency ("at least"), the fraction of constraints satisfied, as `verify`."""
    low = text.lower()
    ok = sum(1 for kw in kwargs if low.count(kw["letter"]) >= kw["let_frequency"])
    return ok / len(kwargs)


def build_tokenizer(tokenizer_json):
    from transformers import PreTrainedTokenizerFast
    tok = PreTrainedTokenizerFast(tokenizer_file=tokenizer_json, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                  bos_token=None, unk_token=None, clean_up_tokenization_spaces=False)
    tok.chat_template = CHATML
    return tok


def make(a):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    os.makedirs(a.out, exist_ok=True)
    mdir = os.path.join(a.out, "model")
    tok = build_tokenizer(a.tokenizer)
    torch.manual_seed(a.seed)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=256, intermediate_size=704, num_hidden_layers=4,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512, rms_norm_eps=1e-5,
                      rope_theta=10000.0, tie_word_embeddings=True, bos_token_id=tok.convert_tokens_to_ids("<|im_start|>"),
                      eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, torch_dtype="float32")
    model = LlamaForCausalLM(cfg).float()
    model.save_pretrained(mdir, safe_serialization=True)
    tok.save_pretrained(mdir)
    # Thresholds: the median letter counts of L-token completions sampled from this model (temperature 1).
    torch.manual_seed(a.seed + 1)
    msgs = [{"role": "user", "content": QUESTIONS[0]}]
    ids = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)["input_ids"]
    with torch.no_grad():
        out = model.generate(ids, do_sample=True, temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=a.length,
                             min_new_tokens=a.length, num_return_sequences=64, pad_token_id=tok.pad_token_id)
    texts = tok.batch_decode(out[:, ids.shape[1]:], skip_special_tokens=True)
    thresholds = {l: max(1, int(statistics.median([t.lower().count(l) for t in texts]) + 0.5)) for l in LETTERS}
    with open(os.path.join(a.out, "prompts.jsonl"), "w") as f:
        for i in range(a.prompts):
            kwargs = [{"letter": l, "let_frequency": thresholds[l], "let_relation": "at least"} for l in LETTERS]
            rules = " ".join(f"In your response, the letter {l} should appear at least {thresholds[l]} times." for l in LETTERS)
            q = QUESTIONS[i % len(QUESTIONS)] + "\n\n" + rules
            truth = {"instruction_id_list": ["keywords:letter_frequency"] * len(LETTERS), "kwargs": kwargs}
            f.write(json.dumps({"id": f"rlvr-bench-{i}", "messages": [{"role": "user", "content": q}],
                                "ground_truth": json.dumps(truth), "dataset": "ifeval"}) + "\n")
    print(f"model: {mdir} ({sum(p.numel() for p in model.parameters())} parameters), thresholds {thresholds}")


def run(a):
    import torch
    torch.set_num_threads(a.threads)
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer
    mdir = os.path.join(a.out, "model")
    tok = AutoTokenizer.from_pretrained(mdir)
    tok.padding_side = "left"
    rows = [json.loads(l) for l in open(os.path.join(a.out, "prompts.jsonl"))]
    # The prompt text rendered with the model's chat template (as `curate-tool rlvr` renders it).
    data = Dataset.from_list([{"prompt": tok.apply_chat_template(r["messages"], add_generation_prompt=True, tokenize=False),
                               "ground_truth": r["ground_truth"]} for r in rows])
    prompt_tokens = [len(tok(p, add_special_tokens=False).input_ids) for p in data["prompt"]]

    def reward(prompts, completions, ground_truth, **_):
        return [letter_fraction(c, json.loads(g)["kwargs"]) for c, g in zip(completions, ground_truth)]

    model = AutoModelForCausalLM.from_pretrained(mdir, dtype=torch.float32)
    L = a.max_completion_length
    cfg = GRPOConfig(output_dir=os.path.join(a.out, "trl-out"), use_vllm=False, bf16=False, fp16=False, use_cpu=True,
                     per_device_train_batch_size=a.batch_size * a.num_generations, gradient_accumulation_steps=1,
                     num_generations=a.num_generations, max_completion_length=L, learning_rate=a.lr,
                     lr_scheduler_type="constant", warmup_steps=0, beta=0.0, loss_type="grpo", num_iterations=1,
                     temperature=1.0, top_p=1.0, top_k=0, generation_kwargs={"min_new_tokens": L},
                     scale_rewards="group", epsilon=0.2, max_steps=a.steps, logging_steps=1, save_strategy="no",
                     report_to=[], seed=a.seed, dataloader_num_workers=0, disable_tqdm=True,
                     mask_truncated_completions=False, shuffle_dataset=True,
                     gradient_checkpointing=False)  # TRL defaults to True: off is its faster setting
    trainer = GRPOTrainer(model=model, reward_funcs=reward, args=cfg, train_dataset=data, processing_class=tok)

    gen = {"seconds": 0.0, "tokens": 0}
    inner = trainer.model.generate

    def timed_generate(*args, **kw):
        t = time.perf_counter()
        out = inner(*args, **kw)
        gen["seconds"] += time.perf_counter() - t
        ids = kw.get("input_ids", args[0] if args else None)
        seqs = out.sequences if hasattr(out, "sequences") else out
        gen["tokens"] += (seqs.shape[1] - ids.shape[1]) * seqs.shape[0]
        return out

    trainer.model.generate = timed_generate
    steps = []

    class Timer(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            self.t = time.perf_counter(); self.g = dict(gen)

        def on_step_end(self, args, state, control, **kw):
            steps.append((time.perf_counter() - self.t, gen["seconds"] - self.g["seconds"], gen["tokens"] - self.g["tokens"]))

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "frac_reward_zero_std" in logs:
                zero.append(logs["frac_reward_zero_std"])
                lengths.append(logs.get("completions/mean_length", float("nan")))

    zero, lengths = [], []
    trainer.add_callback(Timer())
    trainer.train()
    for i, (s, g, n) in enumerate(steps, 1):
        print(f"trl step {i}: {s:.3f} s, generation {g:.3f} s, {n} completion tokens", file=sys.stderr)
    timed = steps[1:]
    print(f"trl prompt tokens: {min(prompt_tokens)}-{max(prompt_tokens)}, completion lengths logged: {sorted(set(lengths))}")
    print(f"trl steps/s: {len(timed) / sum(s for s, _, _ in timed):.4f}")
    print(f"trl rollout tokens/s: {sum(n for _, _, n in timed) / sum(g for _, g, _ in timed):.1f}")
    print(f"trl frac_reward_zero_std: {statistics.mean(zero[1:]) if len(zero) > 1 else float('nan'):.3f}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make"); m.add_argument("out"); m.add_argument("--tokenizer", required=True)
    m.add_argument("--seed", type=int, default=0); m.add_argument("--prompts", type=int, default=8)
    m.add_argument("--length", type=int, default=32)
    r = sub.add_parser("run"); r.add_argument("out"); r.add_argument("--steps", type=int, default=6)
    r.add_argument("--threads", type=int, default=2); r.add_argument("--num-generations", type=int, default=4)
    r.add_argument("--batch-size", type=int, default=2); r.add_argument("--max-completion-length", type=int, default=32)
    r.add_argument("--lr", type=float, default=1e-6); r.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    make(a) if a.cmd == "make" else run(a)


if __name__ == "__main__":
    main()
