//! deploy/slurm/paiban.sbatch on a real one-node Slurm cluster (Debian's slurm-wlm and
//! munge, started here as root with their state under a temporary folder and stopped by
//! their pids): a 4-task array over the 132 corpus issues of tests/fixtures plus a broken
//! one converts every good issue exactly once, fails the broken one in its shard's log,
//! and its dependent catalog job lists every good issue; a second submission converts
//! nothing; a task cancelled midway (scancel of one index) leaves no half-written output
//! and its issues are done by the next submission.

mod batch_common;
mod sandbox_support;

use batch_common::*;
use sandbox_support::tool_available;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The daemons of a one-node cluster, stopped (by pid) when dropped.
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    daemons: Vec<Child>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Jobs first, so no task outlives the test.
        let _ = self.cmd("scancel").arg("--user=root").status();
        for d in self.daemons.iter_mut().rev() {
            let _ = d.kill();
            let _ = d.wait();
        }
    }
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn short_hostname() -> String {
    let out = Command::new("hostname").arg("-s").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Cluster {
    /// None when Slurm or munge is missing or we are not root (a failure under CI).
    fn start(dir: &Path) -> Option<Cluster> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
        let tools = ["munged", "mungekey", "slurmctld", "slurmd", "sbatch"]
            .iter()
            .all(|t| have(t) || Path::new("/usr/sbin").join(t).exists());
        if !tool_available(
            "a Slurm cluster (apt-get install slurm-wlm munge; run as root)",
            root && tools,
        ) {
            return None;
        }
        let sbin = |t: &str| {
            let p = Path::new("/usr/sbin").join(t);
            if p.exists() {
                p
            } else {
                PathBuf::from(t)
            }
        };
        for sub in ["munge", "state", "spool", "log"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let m = dir.join("munge");
        let key = m.join("munge.key");
        let ok = Command::new(sbin("mungekey"))
            .arg("-c")
            .arg("-k")
            .arg(&key)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mungekey failed");
        let socket = m.join("munge.socket");
        let mut daemons = Vec::new();
        daemons.push(
            Command::new(sbin("munged"))
                .arg("-F")
                .arg("--force")
                .arg(format!("--key-file={}", key.display()))
                .arg(format!("--socket={}", socket.display()))
                .arg(format!("--pid-file={}", m.join("munged.pid").display()))
                .arg(format!("--log-file={}", m.join("munged.log").display()))
                .arg(format!("--seed-file={}", m.join("seed").display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        // Ports of our own: another cluster (or test) on this machine keeps its own.
        let port = 20_000 + (std::process::id() % 10_000) as u16 * 2;
        let host = short_hostname();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        // The node's memory (MB), so tasks' --mem-per-cpu fits it.
        let mem = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                let kb: u64 = m.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
                Some(kb / 1024 / 2)
            })
            .unwrap_or(1024);
        let d = dir.display();
        let conf = dir.join("slurm.conf");
        fs::write(
            &conf,
            format!(
                "ClusterName=paibantest\nSlurmctldHost={host}\nSlurmUser=root\nSlurmdUser=root\n\
                 AuthType=auth/munge\nAuthInfo=socket={socket}\nCryptoType=crypto/munge\n\
                 ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
                 SchedulerType=sched/backfill\nSelectType=select/cons_tres\n\
                 SelectTypeParameters=CR_Core\nStateSaveLocation={d}/state\n\
                 SlurmdSpoolDir={d}/spool\nSlurmctldPidFile={d}/slurmctld.pid\n\
                 SlurmdPidFile={d}/slurmd.pid\nSlurmctldLogFile={d}/log/slurmctld.log\n\
                 SlurmdLogFile={d}/log/slurmd.log\nSlurmctldPort={port}\nSlurmdPort={}\n\
                 ReturnToService=2\nMpiDefault=none\nJobCompType=jobcomp/none\n\
                 AccountingStorageType=accounting_storage/none\nMinJobAge=600\n\
                 NodeName={host} CPUs={cpus} RealMemory={mem} State=UNKNOWN\n\
                 PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP\n",
                port + 1,
                socket = socket.display()
            ),
        )
        .unwrap();
        let mut c = Cluster {
            dir: dir.to_path_buf(),
            conf,
            daemons,
        };
        wait_for("munged's socket", Duration::from_secs(20), || {
            socket.exists()
        });
        for daemon in ["slurmctld", "slurmd"] {
            let child = Command::new(sbin(daemon))
                .arg("-D")
                .arg("-f")
                .arg(&c.conf)
                .env("SLURM_CONF", &c.conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            c.daemons.push(child);
        }
        wait_for("the node to be idle", Duration::from_secs(90), || {
            c.output(&["sinfo", "-h", "-o", "%t"]).trim() == "idle"
        });
        Some(c)
    }

    fn cmd(&self, prog: &str) -> Command {
        let mut c = Command::new(prog);
        c.env("SLURM_CONF", &self.conf);
        for v in SCHEDULER_VARS {
            c.env_remove(v);
        }
        c
    }

    fn output(&self, args: &[&str]) -> String {
        let out = self.cmd(args[0]).args(&args[1..]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `sbatch --parsable ARGS… paiban.sbatch INDIR OUTDIR`, returning the job id.
    fn submit(&self, args: &[&str], indir: &Path, outdir: &Path) -> String {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/slurm/paiban.sbatch");
        let out = self
            .cmd("sbatch")
            .arg("--parsable")
            .args(args)
            .arg(format!("--output={}/task-%A_%a.out", self.dir.display()))
            .arg(&script)
            .arg(indir)
            .arg(outdir)
            .env("PAIBAN", env!("CARGO_BIN_EXE_paiban"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "sbatch: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.logs()
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until no job of ours is queued or running (the dependent catalog included).
    fn drain(&self) {
        wait_for("the queue to empty", Duration::from_secs(600), || {
            self.output(&["squeue", "-h", "-o", "%i"]).trim().is_empty()
        });
    }

    fn logs(&self) -> String {
        let mut s = String::new();
        for e in fs::read_dir(&self.dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "out") {
                s.push_str(&format!("== {}\n", e.path().display()));
                s.push_str(&fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        s
    }
}

fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The 132 corpus issues of tests/fixtures (the damaged texts, synthetic and
/// round-trip) and a broken one. Returns the good issues' keys.
fn corpus(indir: &Path) -> Vec<String> {
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut keys = Vec::new();
    let mut copy = |from: &Path, key: String| {
        let to = indir.join(&key);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, &to).unwrap();
        keys.push(key);
    };
    for e in fs::read_dir(fx.join("corpus")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".damaged.md") {
            copy(&e.path(), name);
        }
    }
    for conv in fs::read_dir(fx.join("roundtrip")).unwrap().flatten() {
        if !conv.path().is_dir() {
            continue;
        }
        for e in fs::read_dir(conv.path()).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".damaged.md") {
                let key = format!("{}/{name}", conv.file_name().to_string_lossy());
                copy(&e.path(), key);
            }
        }
    }
    write_invalid_utf8(&indir.join("broken.md"));
    keys.sort();
    keys
}

/// Per array task's summary: (converted, skipped, failed) inputs.
fn summaries(outdir: &Path, tasks: usize) -> Vec<[Vec<String>; 3]> {
    (0..tasks)
        .map(|i| {
            let p = outdir.join(format!("paiban-summary.task-{i}.json"));
            let s: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&p).unwrap_or_else(|e| {
                    panic!("{}: {e}", p.display());
                }))
                .unwrap();
            let pick = |st: &str| -> Vec<String> {
                s["issues"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|o| o["status"] == st)
                    .map(|o| o["input"].as_str().unwrap().to_string())
                    .collect()
            };
            [pick("converted"), pick("skipped"), pick("failed")]
        })
        .collect()
}

/// The issue keys the feed lists (its EPUB links, decoded back to input paths).
fn feed_keys(outdir: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    // The first page, then each page its `next` link names (`opds-GEN-N.xml`).
    let mut next = Some("opds.xml".to_string());
    while let Some(name) = next.take() {
        let Ok(xml) = fs::read_to_string(outdir.join(&name)) else {
            break;
        };
        let head = &xml[..xml.find("<entry>").unwrap_or(xml.len())];
        next = head.split("<link ").skip(1).find_map(|l| {
            let l = &l[..l.find('>').unwrap_or(l.len())];
            l.contains("rel=\"next\"").then(|| {
                let h = &l[l.find("href=\"").unwrap() + 6..];
                h[..h.find('"').unwrap()]
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
        });
        for part in xml.split("href=\"").skip(1) {
            let href = &part[..part.find('"').unwrap()];
            if let Some(stem) = href.strip_suffix(".epub") {
                keys.push(format!("{stem}.md"));
            }
        }
    }
    keys.sort();
    keys
}

/// Every EPUB and PDF under `dir` is whole: a zip whose central directory reads, a PDF
/// that ends with its trailer.
fn all_outputs_whole(dir: &Path) -> usize {
    let mut n = 0;
    for f in files_under(dir) {
        let p = dir.join(&f);
        if f.ends_with(".epub") {
            let file = fs::File::open(&p).unwrap();
            zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{f}: half-written ({e})"));
            n += 1;
        } else if f.ends_with(".pdf") {
            let b = fs::read(&p).unwrap();
            let tail = String::from_utf8_lossy(&b[b.len().saturating_sub(32)..]).into_owned();
            assert!(tail.contains("%%EOF"), "{f}: half-written");
            n += 1;
        }
    }
    n
}

#[test]
fn array_job_then_catalog_on_a_real_slurm_cluster() {
    let t = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start(&t.path().join("slurm")) else {
        return;
    };
    let indir = t.path().join("in");
    let outdir = t.path().join("out");
    let keys = corpus(&indir);
    assert_eq!(keys.len(), 132);

    // 1. The array and its catalog.
    let job = cluster.submit(&["--wait", "--array=0-3"], &indir, &outdir);
    cluster.drain();
    let s = summaries(&outdir, 4);
    let mut converted: Vec<String> = s.iter().flat_map(|t| t[0].clone()).collect();
    converted.sort();
    assert_eq!(
        converted,
        keys,
        "job {job}: each good issue exactly once\n{}",
        cluster.logs()
    );
    let failed: Vec<usize> = (0..4).filter(|&i| s[i][2] == ["broken.md"]).collect();
    assert_eq!(failed.len(), 1, "{s:?}");
    let log = fs::read_to_string(
        outdir.join(format!("paiban-failures.shard-{}-of-4.log", failed[0] + 1)),
    )
    .unwrap();
    assert!(log.starts_with("broken.md: "), "{log}");
    for i in (0..4).filter(|&i| i != failed[0]) {
        let other = outdir.join(format!("paiban-failures.shard-{}-of-4.log", i + 1));
        assert_eq!(fs::read_to_string(other).unwrap(), "");
    }
    assert_eq!(feed_keys(&outdir), keys, "catalog\n{}", cluster.logs());
    assert_eq!(all_outputs_whole(&outdir), 2 * keys.len());

    // 2. The same submission again converts nothing.
    cluster.submit(&["--wait", "--array=0-3"], &indir, &outdir);
    cluster.drain();
    let s = summaries(&outdir, 4);
    assert!(s.iter().all(|t| t[0].is_empty()), "{s:?}");
    assert_eq!(s.iter().map(|t| t[1].len()).sum::<usize>(), keys.len());

    // 3. A task cancelled midway, into a fresh OUTDIR (one issue at a time, so it is
    // caught working): nothing half-written, and the next submission finishes its part.
    let fresh = t.path().join("out2");
    let job = cluster.submit(&["--array=0-3", "--cpus-per-task=1"], &indir, &fresh);
    let journal = fresh.join("paiban-manifest.shard-2-of-4.journal");
    wait_for(
        "task 1 to finish an issue",
        Duration::from_secs(300),
        || fs::read_to_string(&journal).is_ok_and(|j| j.lines().count() >= 2),
    );
    let ok = cluster
        .cmd("scancel")
        .arg(format!("{job}_1"))
        .status()
        .unwrap()
        .success();
    assert!(ok, "scancel");
    cluster.drain();
    assert!(
        !fresh.join("paiban-manifest.shard-2-of-4.json").exists(),
        "task 1 finished before it was cancelled"
    );
    assert!(
        !fresh.join("opds.xml").exists(),
        "the catalog ran after a cancelled task"
    );
    all_outputs_whole(&fresh);
    cluster.submit(&["--wait", "--array=0-3"], &indir, &fresh);
    cluster.drain();
    let s = summaries(&fresh, 4);
    assert!(
        !s[1][0].is_empty() && !s[1][1].is_empty(),
        "task 1 resumed: {:?}",
        s[1]
    );
    assert!(
        s.iter().enumerate().all(|(i, t)| i == 1 || t[0].is_empty()),
        "{s:?}"
    );
    assert_eq!(feed_keys(&fresh), keys, "{}", cluster.logs());
    assert_eq!(all_outputs_whole(&fresh), 2 * keys.len());
    let temps: Vec<String> = files_under(&fresh)
        .into_iter()
        .filter(|f| f.ends_with(".tmp"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
}
