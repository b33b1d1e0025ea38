//! Property tests over every outside-input entry point, in seconds under `cargo test`: arbitrary
//! bytes, structured mutations of the committed seed corpora (`fuzz/corpus/<target>`), and a replay
//! of every corpus file, crash reproducers included.

use std::path::PathBuf;

use proptest::prelude::*;
use threatscape_badinput::TARGETS;
use threatscape_testkit::workspace_root;

/// The committed inputs of a target (seeds and the reproducers of fixed crashes), sorted by name.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = workspace_root().join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn every_target_has_a_corpus_and_replays_it() {
    for (name, run) in TARGETS {
        let files = corpus(name);
        assert!(
            files.len() >= 3,
            "{name}: only {} corpus files",
            files.len()
        );
        for (path, bytes) in files {
            // A panic names the file through the hook's message; say which one is running.
            eprintln!("replaying {}", path.display());
            run(&bytes);
        }
    }
}

/// Pieces that break parsers where they are fragile: brackets, quotes, escapes, separators,
/// invalid UTF-8, byte-order marks, numbers at the edges.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\",
    b",",
    b":",
    b";",
    b"\n",
    b"\r\n",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\\u0000",
    b"\\ud800",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"18446744073709551616",
    b"\"\"",
    b"''",
    b"[[[[[[[[",
    b"]]]]]]]]",
    b"--",
    b"T",
    b"Z",
    b"9999-12-31T23:59:60.999999999Z",
    b"0000-00-00",
    b"AND",
    b"OR",
    b"FOLLOWEDBY",
    b"MATCHES",
    b"START t'",
    b"WITHIN 99999999999999999999 SECONDS",
    b"%",
    b"%ZZ",
    b"&",
    b"=",
    b"match[",
];

#[derive(Debug, Clone)]
enum Edit {
    Truncate(usize),
    Insert(usize, usize),
    Delete(usize, usize),
    Repeat(usize, usize, u8),
    Flip(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1usize..32, 2u8..20).prop_map(|(at, n, k)| Edit::Repeat(at, n, k)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match *e {
            Edit::Truncate(i) => bytes.truncate(at(i)),
            Edit::Insert(i, t) => {
                let p = at(i);
                bytes.splice(p..p, TOKENS[t].iter().copied());
            }
            Edit::Delete(i, n) => {
                let p = at(i);
                bytes.drain(p..(p + n).min(len));
            }
            Edit::Repeat(i, n, k) => {
                let p = at(i);
                let piece = bytes[p..(p + n).min(len)].to_vec();
                for _ in 1..k {
                    bytes.splice(p..p, piece.iter().copied());
                }
            }
            Edit::Flip(i, b) => {
                if len > 0 {
                    bytes[i % len] = b;
                }
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_crash_a_parser(
        target in 0..TARGETS.len(),
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        (TARGETS[target].1)(&bytes);
    }

    #[test]
    fn mutated_real_inputs_never_crash_a_parser(
        target in 0..TARGETS.len(),
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let (name, run) = TARGETS[target];
        let files = corpus(name);
        let (_, bytes) = &files[seed.index(files.len())];
        run(&apply(bytes.clone(), &edits));
    }
}

/// Each target, one at a time, so a failure names the parser.
#[test]
fn each_parser_survives_mutations_of_its_own_corpus() {
    use proptest::test_runner::{Config, TestRunner};
    for (name, run) in TARGETS {
        let files = corpus(name);
        let mut runner = TestRunner::new(Config {
            cases: 48,
            ..Config::default()
        });
        let strategy = (0..files.len(), prop::collection::vec(edit(), 1..6));
        runner
            .run(&strategy, |(seed, edits)| {
                run(&apply(files[seed].1.clone(), &edits));
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Deep nesting reaches every JSON entry point without overflowing the stack.
#[test]
fn ten_thousand_deep_nesting_is_refused_without_overflow() {
    let deep = |open: &str, close: &str| {
        format!("{}{}", open.repeat(10_000), close.repeat(10_000)).into_bytes()
    };
    for (name, run) in TARGETS {
        for bytes in [
            deep("[", "]"),
            deep("{\"a\":", "}"),
            [b"\x01".as_slice(), &deep("[", "]")].concat(),
            format!(
                "{{\"type\":\"bundle\",\"objects\":[{{\"x\":{}}}]}}",
                String::from_utf8(deep("[", "]")).unwrap()
            )
            .into_bytes(),
            deep("(", ")"),
        ] {
            eprintln!("{name}: {} bytes of nesting", bytes.len());
            run(&bytes);
        }
    }
}
