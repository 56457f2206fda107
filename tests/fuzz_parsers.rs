//! A short run of the parser fuzzer (examples/fuzz): every parser of untrusted input gets its
//! seeds, hostile seeds and mutated inputs, and none panics. The long run, with hangs and
//! memory, is `cargo run --release --example fuzz -- 2000`.

#[path = "../examples/fuzz/driver.rs"]
mod driver;

#[test]
fn no_parser_panics_on_mutated_and_hostile_input() {
    std::panic::set_hook(Box::new(|_| {}));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let targets = driver::targets(root);
    assert_eq!(targets.len(), 12, "every parser is fuzzed");
    let mut outcomes = Vec::new();
    for target in &targets {
        assert!(!target.seeds.is_empty(), "{} has seeds", target.name);
        outcomes.push(driver::fuzz(target, 60, 7));
    }
    let _ = std::panic::take_hook();
    println!("{}", driver::table(&outcomes));
    for o in &outcomes {
        assert!(o.inputs >= 60, "{}: {} inputs", o.name, o.inputs);
        assert_eq!(
            o.panics,
            0,
            "{} panicked: {:?} on {:?}",
            o.name,
            o.first_panic.as_ref().map(|(m, _)| m),
            o.first_panic
                .as_ref()
                .map(|(_, i)| String::from_utf8_lossy(&i[..i.len().min(400)]).into_owned())
        );
    }
}

#[test]
fn mutations_are_reproducible_from_the_seed() {
    use rand::SeedableRng;
    let seeds = vec![b"id: a\ncards: []\n".to_vec(), b"{\"a\": [1, 2]}".to_vec()];
    let run = |seed| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..50)
            .map(|_| driver::mutate(&mut rng, &seeds))
            .collect::<Vec<_>>()
    };
    let a = run(3);
    assert_eq!(a, run(3));
    assert_ne!(a, run(4));
    // Mutations change the seeds (not every input is a copy of one).
    assert!(a.iter().filter(|m| !seeds.contains(m)).count() > 40);
}
