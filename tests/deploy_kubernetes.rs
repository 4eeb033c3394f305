//! deploy/kubernetes/indexed-job.yaml (not run on a cluster here): its shape — an Indexed
//! Job with per-index retries and PAIBAN_SHARDS equal to its completions, a catalog Job on
//! the same volume — and its pod command, run by sh with the index variable Kubernetes
//! sets, over a corpus with a broken issue.

mod batch_common;

use batch_common::*;
use serde_yaml_ng::Value;
use std::path::Path;
use std::process::Command;

fn documents() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes/indexed-job.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect()
}

fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| match k.parse::<usize>() {
        Ok(i) => &v[i],
        Err(_) => &v[k],
    })
}

fn claim(job: &Value) -> &str {
    at(
        job,
        "spec.template.spec.volumes.0.persistentVolumeClaim.claimName",
    )
    .as_str()
    .unwrap()
}

#[test]
fn the_manifest_is_an_indexed_job_then_a_catalog_job_on_one_volume() {
    let docs = documents();
    assert_eq!(docs.len(), 2);
    let (convert, catalog) = (&docs[0], &docs[1]);
    for d in &docs {
        assert_eq!(d["apiVersion"], "batch/v1");
        assert_eq!(d["kind"], "Job");
    }
    assert_eq!(at(convert, "spec.completionMode"), "Indexed");
    let completions = at(convert, "spec.completions").as_u64().unwrap();
    assert!(completions > 1);
    assert!(at(convert, "spec.backoffLimitPerIndex").as_u64().unwrap() >= 1);
    assert_eq!(at(convert, "spec.template.spec.restartPolicy"), "Never");
    let c = at(convert, "spec.template.spec.containers.0");
    let shards = c["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "PAIBAN_SHARDS")
        .expect("PAIBAN_SHARDS");
    assert_eq!(shards["value"].as_str().unwrap(), completions.to_string());
    let script = c["args"][0].as_str().unwrap();
    assert!(script.contains("--shard auto"), "{script}");
    assert!(at(c, "resources.requests.memory").as_str().is_some());
    assert_eq!(claim(convert), claim(catalog));
    let mount = |job: &Value| {
        at(
            job,
            "spec.template.spec.containers.0.volumeMounts.0.mountPath",
        )
        .as_str()
        .unwrap()
        .to_string()
    };
    assert_eq!(mount(convert), mount(catalog));
    let cmd: Vec<&str> = at(catalog, "spec.template.spec.containers.0.command")
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(&cmd[..2], ["paiban", "catalog"]);
    let wait = at(catalog, "spec.template.spec.initContainers.0.command");
    assert!(format!("{wait:?}").contains("job/paiban-convert"));
}

#[test]
fn each_index_runs_the_pod_command_and_converts_its_shard() {
    let docs = documents();
    let script = at(&docs[0], "spec.template.spec.containers.0.args.0")
        .as_str()
        .unwrap()
        .to_string();
    let t = tempfile::tempdir().unwrap();
    let archive = t.path().join("archive");
    let keys = make_corpus(&archive.join("in"), 6, 150);
    write_invalid_utf8(&archive.join("in/broken.md"));
    // The pod's command with the volume at a temporary folder and this build's binary.
    let script = script
        .replace("/archive", &archive.display().to_string())
        .replacen("paiban ", &format!("{} ", env!("CARGO_BIN_EXE_paiban")), 1);
    let mut converted = Vec::new();
    let mut failed = Vec::new();
    for index in 0..3 {
        let mut cmd = Command::new("sh");
        for v in SCHEDULER_VARS {
            cmd.env_remove(v);
        }
        let out = cmd
            .args(["-c", &script])
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("PAIBAN_SHARDS", "3")
            .output()
            .unwrap();
        // A failed issue does not fail the pod (Kubernetes would retry it for nothing).
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary = archive.join(format!("out/paiban-summary.task-{index}.json"));
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
        for o in s["issues"].as_array().unwrap() {
            let input = o["input"].as_str().unwrap().to_string();
            match o["status"].as_str().unwrap() {
                "converted" => converted.push(input),
                "failed" => failed.push(input),
                other => panic!("{input}: {other}"),
            }
        }
    }
    converted.sort();
    assert_eq!(converted, keys);
    assert_eq!(failed, ["broken.md"]);
    // Without the count the pod fails, saying what is missing.
    let out = Command::new("sh")
        .args(["-c", &script])
        .env("JOB_COMPLETION_INDEX", "0")
        .env_remove("PAIBAN_SHARDS")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PAIBAN_SHARDS"));
}
