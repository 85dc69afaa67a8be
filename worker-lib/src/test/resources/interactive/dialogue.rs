use std::io::{self, Write};
use std::time::{Duration, Instant};

fn ask(prompt: &str) -> i64 {
    print!("{}", prompt);
    io::stdout().flush().unwrap(); // Rust's stdout is line-buffered even on a terminal
    let mut line = String::new();
    if io::stdin().read_line(&mut line).unwrap() == 0 {
        std::process::exit(2);
    }
    line.trim().parse().unwrap()
}

fn main() {
    let t = Instant::now();
    let mut x: u64 = 0;
    while t.elapsed() < Duration::from_secs(1) {
        x = x.wrapping_add(1); // computes for a second before asking anything
    }
    println!("ready");
    let n = ask("Number? ");
    println!("Double: {}", 2 * n);
    let a = ask("A? ");
    let b = ask("B? ");
    println!("Sum: {}", a + b);
    if x == 0 {
        println!("-");
    }
}
