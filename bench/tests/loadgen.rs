//! The load generator through its binary, against the embedded system on loopback: short,
//! bounded runs that must succeed without errors and report what they measured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use testkit::{ChildGuard, free_port};

fn gateway_binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_loadgen")).with_file_name("gateway");
    assert!(
        path.exists(),
        "run the suite with `cargo test --workspace` so the gateway is built"
    );
    path
}

fn start_system() -> (ChildGuard, u16, u16) {
    let (http, auth, todo) = (
        free_port().unwrap(),
        free_port().unwrap(),
        free_port().unwrap(),
    );
    let child = Command::new(gateway_binary())
        .arg("--embedded")
        .env_clear()
        .env("GATEWAY_LISTEN_ADDR", format!("127.0.0.1:{http}"))
        .env("AUTH_LISTEN_ADDR", format!("127.0.0.1:{auth}"))
        .env("TODO_LISTEN_ADDR", format!("127.0.0.1:{todo}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    (ChildGuard(child), http, auth)
}

fn run_loadgen(args: &[&str]) -> Value {
    let out = std::env::temp_dir().join(format!("loadgen-{}.json", uuid_like()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_loadgen"));
    command
        .args(args)
        .args(["--duration", "1s", "--warmup", "200ms", "--json"])
        .arg(&out);
    let mut status = None;
    // The system may still be starting: a few tries.
    for _ in 0..20 {
        let result = command.output().unwrap();
        if result.status.success() {
            status = Some(result);
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let output = status.expect("loadgen ran");
    assert!(String::from_utf8_lossy(&output.stdout).contains("req/s"));
    let summary: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let _ = std::fs::remove_file(out);
    summary
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], "")
}

#[test]
fn the_todo_and_mixed_scenarios_run_clean_against_the_embedded_system() {
    let (_system, http, _) = start_system();
    let gateway = format!("http://127.0.0.1:{http}");

    for scenario in ["todo", "mixed"] {
        let summary = run_loadgen(&[scenario, "--gateway", &gateway, "-c", "4"]);
        assert!(summary["requests"].as_u64().unwrap() > 10, "{summary}");
        assert_eq!(summary["errors"], serde_json::json!({}), "{summary}");
        assert!(summary["p99_ms"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn the_verify_scenario_runs_clean_over_grpc() {
    let (_system, _, auth) = start_system();

    let summary = run_loadgen(&[
        "verify",
        "--auth",
        &format!("http://127.0.0.1:{auth}"),
        "-c",
        "8",
        "--sessions",
        "4",
        "--channels",
        "2",
    ]);

    assert!(summary["requests"].as_u64().unwrap() > 10, "{summary}");
    assert_eq!(summary["errors"], serde_json::json!({}), "{summary}");
}

#[test]
fn a_remote_target_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args([
            "todo",
            "--gateway",
            "http://10.1.2.3:8080",
            "--duration",
            "1s",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("loopback"));
}
