package dev.sandpit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sandpit benchmarks against a running stack (started by {@code ./sandpit bench}):
 *
 * <ol>
 *   <li>bare baseline: {@code python3 -c 'print(1)'} spawned here (spawn → exit, spawn → first byte);
 *   <li>end to end {@code print(1)}: execute sent → complete, sequential on one connection;
 *   <li>time to first output: execute sent → first output event;
 *   <li>input round trip: input_response sent → the output event echoing it;
 *   <li>throughput: N connections running print(1) back to back;
 *   <li>output throughput: 10 MB of stdout, end to end and bare.
 * </ol>
 *
 * 1–3 are measured interleaved (bare and stack alternately, order flipped every iteration) so
 * machine noise hits both sides alike. Every wait has a deadline; failed runs are counted and
 * reported, never waited on for ever. Usage: {@code Bench ws://host:port/ws/execute [--n 100]
 * [--rt 200] [--clients 8] [--load-s 10] [--out-runs 3] [--json .sandpit/bench.json] [--phases latency,rt,load,output]}.
 */
public final class Bench {
  static final String PYTHON = "/usr/bin/python3";
  static final String PATH_ENV = "/usr/local/bin:/usr/bin:/bin";
  static final String ECHO = "import sys\nwhile True:\n    l = sys.stdin.readline()\n    if not l: break\n    sys.stdout.write(l)\n";
  /** 10 × 1,000,000 bytes (100-byte lines). The brief's example had range(100), which is 100 MB. */
  static final String BIG = "import sys\nb = ('x'*99+'\\n')*10000\nfor _ in range(10): sys.stdout.write(b)\n";
  static final long BIG_BYTES = 10_000_000L;

  private static final AtomicLong REQ = new AtomicLong();
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-watchdog");
    t.setDaemon(true);
    return t;
  });

  private final URI uri;
  private final int n;
  private final int rt;
  private final int clients;
  private final int loadS;
  private final int outRuns;
  private final Path jsonOut;
  private final java.util.Set<String> phases;
  private final List<String[]> rows = new ArrayList<>();
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final Map<String, Failures> failures = new LinkedHashMap<>();

  Bench(URI uri, int n, int rt, int clients, int loadS, int outRuns, Path jsonOut, java.util.Set<String> phases) {
    this.phases = phases;
    this.uri = uri;
    this.n = n;
    this.rt = rt;
    this.clients = clients;
    this.loadS = loadS;
    this.outRuns = outRuns;
    this.jsonOut = jsonOut;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: Bench ws://host:port/ws/execute [--n 100] [--rt 200] [--clients 8] [--load-s 10] [--out-runs 3] [--json file] [--phases latency,rt,load,output]");
      System.exit(2);
    }
    URI uri = URI.create(args[0]);
    int n = 100, rt = 200, clients = 8, loadS = 10, outRuns = 3;
    Path json = Path.of(".sandpit", "bench.json");
    java.util.Set<String> phases = java.util.Set.of("latency", "rt", "load", "output");
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (v == null) throw new IllegalArgumentException("option " + a + " needs a value");
      switch (a) {
        case "--n" -> n = Integer.parseInt(v);
        case "--rt" -> rt = Integer.parseInt(v);
        case "--clients" -> clients = Integer.parseInt(v);
        case "--load-s" -> loadS = Integer.parseInt(v);
        case "--out-runs" -> outRuns = Integer.parseInt(v);
        case "--json" -> json = Path.of(v);
        case "--phases" -> phases = java.util.Set.of(v.split(","));
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
      i++;
    }
    int rc = new Bench(uri, n, rt, clients, loadS, outRuns, json, phases).run();
    System.exit(rc);
  }

  // ------------------------------------------------------------------------------------------

  int run() throws Exception {
    long started = System.nanoTime();
    json.put("url", uri.toString());
    json.put("cores", Runtime.getRuntime().availableProcessors());
    json.put("java", System.getProperty("java.version"));
    json.put("started_at", java.time.Instant.now().toString());
    try (RawWs ws = RawWs.connect(uri, 10_000)) {
      warmUp(ws);
      if (phases.contains("latency")) phaseLatency(ws);
      if (phases.contains("rt")) phaseRoundTrip(ws);
    }
    if (phases.contains("load")) phaseLoad();
    if (phases.contains("output")) {
      try (RawWs ws = RawWs.connect(uri, 10_000)) {
        phaseOutput(ws);
      }
    }
    long totalFailures = failures.values().stream().mapToLong(f -> f.count).sum();
    row("failures (complete status != ok, timeouts, errors)", totalFailures + " of " + failures.values().stream()
        .mapToLong(f -> f.attempts).sum() + " runs", "0", totalFailures == 0);
    double secs = (System.nanoTime() - started) / 1e9;
    json.put("duration_s", round(secs, 1));
    json.put("figures", figures);
    Map<String, Object> f = new LinkedHashMap<>();
    failures.forEach((k, v) -> f.put(k, v.toJson()));
    json.put("failures", f);
    List<Map<String, Object>> table = new ArrayList<>();
    for (String[] r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("figure", r[0]);
      m.put("value", r[1]);
      m.put("target", r[2]);
      m.put("result", r[3]);
      table.add(m);
    }
    json.put("table", table);
    printTable(secs);
    Files.createDirectories(jsonOut.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonOut.toFile(), json);
    System.out.println("(written to " + jsonOut + ")");
    return 0;
  }

  // ---- warm-up ----

  private void warmUp(RawWs ws) throws Exception {
    log("warming up (30 runs through the stack, 15 bare spawns)...");
    Failures warm = new Failures();
    for (int i = 0; i < 30; i++) {
      if (i % 2 == 0) bare(List.of(PYTHON, "-c", "print(1)"), 10_000);
      runOnce(ws, execute("python", "print(1)", null, null), 20_000, warm);
    }
    json.put("warmup_failures", warm.toJson());
  }

  // ---- 1-3: bare vs end to end print(1), interleaved ----

  private void phaseLatency(RawWs ws) throws Exception {
    log("measuring print(1): " + n + " bare spawns and " + n + " runs through the stack, interleaved...");
    Failures fails = failures.computeIfAbsent("print1_sequential", k -> new Failures());
    Samples bareTotal = new Samples(), bareFirst = new Samples(), e2eTotal = new Samples(), e2eFirst = new Samples();
    Samples toAccepted = new Samples(), acceptedToFirst = new Samples(), firstToComplete = new Samples(), execMs = new Samples();
    Failures bareFails = failures.computeIfAbsent("print1_bare", k -> new Failures());
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < 2; k++) {
        boolean doBare = (i + k) % 2 == 0;
        if (doBare) {
          BareResult b = bare(List.of(PYTHON, "-c", "print(1)"), 10_000);
          bareFails.attempts++;
          if (b.ok() && b.bytes == 2) {
            bareTotal.add(b.totalNs);
            bareFirst.add(b.firstNs);
          } else {
            bareFails.fail("bare: exit " + b.exit + ", " + b.bytes + " bytes" + (b.timedOut ? ", timed out" : ""));
          }
        } else {
          Run r = runOnce(ws, execute("python", "print(1)", null, null), 20_000, fails);
          if (r.ok && !"1\n".equals(r.smallStdout)) fails.fail("stdout was " + quote(r.smallStdout) + " not \"1\\n\"");
          else if (r.ok) {
            e2eTotal.add(r.completeNs - r.sentNs);
            if (r.firstOutNs > 0) e2eFirst.add(r.firstOutNs - r.sentNs);
            toAccepted.add(r.acceptedNs - r.sentNs);
            if (r.firstOutNs > 0) acceptedToFirst.add(r.firstOutNs - r.acceptedNs);
            if (r.firstOutNs > 0) firstToComplete.add(r.completeNs - r.firstOutNs);
            if (r.execMs >= 0) execMs.addRaw(r.execMs);
          }
        }
      }
    }
    figures.put("bare_print1_ms", bareTotal.toJson());
    figures.put("bare_print1_first_byte_ms", bareFirst.toJson());
    figures.put("e2e_print1_ms", e2eTotal.toJson());
    figures.put("e2e_print1_first_output_ms", e2eFirst.toJson());
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("execute_to_accepted_ms", toAccepted.toJson());
    parts.put("accepted_to_first_output_ms", acceptedToFirst.toJson());
    parts.put("first_output_to_complete_ms", firstToComplete.toJson());
    parts.put("executor_execution_time_ms", execMs.toJson());
    figures.put("e2e_print1_breakdown", parts);

    row("1 bare spawn python3 -c print(1) → exit" + nOf(bareTotal), pq(bareTotal), "baseline", null);
    double ratio = e2eTotal.p(50) / bareTotal.p(50);
    figures.put("e2e_over_bare_p50_ratio", round(ratio, 2));
    figures.put("e2e_over_bare_p99_ratio", round(e2eTotal.p(99) / bareTotal.p(99), 2));
    row("2 e2e print(1) execute → complete" + nOf(e2eTotal), pq(e2eTotal) + fmt("  = %.2fx bare p50", ratio),
        "p50 ≤ 2x bare", e2eTotal.size() > 0 && ratio <= 2.0);
    row("3 bare spawn → first stdout byte" + nOf(bareFirst), pq(bareFirst), "baseline", null);
    double over = e2eFirst.p(50) - bareFirst.p(50);
    figures.put("e2e_first_output_minus_bare_p50_ms", round(over, 2));
    row("3 e2e execute → first output event" + nOf(e2eFirst), pq(e2eFirst) + fmt("  = bare%+.1f ms", over),
        "p50 ≤ bare+10 ms", e2eFirst.size() > 0 && over <= 10.0);
    row("2 e2e p50 split: →accepted/→1st out/→complete; exec_time",
        fmt("%.1f / +%.1f / +%.1f ms; executor wall %.0f ms", toAccepted.p(50), acceptedToFirst.p(50), firstToComplete.p(50), execMs.p(50)),
        "info", null);
  }

  // ---- 4: input round trip ----

  private void phaseRoundTrip(RawWs ws) throws Exception {
    int warm = Math.min(20, rt);
    log("measuring the input round trip: " + warm + " warm-up + " + rt + " echoes...");
    Failures fails = failures.computeIfAbsent("input_round_trip", k -> new Failures());
    fails.attempts++;
    Samples echo = new Samples(), prompt = new Samples();
    int[] missing = {0};
    try {
      roundTrip(ws, warm, fails, echo, prompt, missing);
    } finally {
      figures.put("input_round_trip_ms", echo.toJson());
      figures.put("input_round_trip_to_next_prompt_ms", prompt.toJson());
      figures.put("input_round_trip_missing_prompts", missing[0]);
      row("4 input_response → echoed output" + nOf(echo), pq(echo), "p50 ≤ 3 ms", echo.size() > 0 && echo.p(50) <= 3.0);
      row("4 input_response → next input_request" + nOf(prompt), pq(prompt)
          + (missing[0] > 0 ? "  (" + missing[0] + " prompts missing)" : ""), "info", null);
    }
  }

  private void roundTrip(RawWs ws, int warm, Failures fails, Samples echo, Samples prompt, int[] missing) throws Exception {
    String req = "rt" + REQ.incrementAndGet();
    ws.send(execute("python", ECHO, req, "\"wall_ms\":120000"));
    long deadline = System.nanoTime() + ms(20_000);
    String job = null;
    boolean prompted = false;
    while (!prompted) {
      RawWs.Ev e = ws.poll(deadline);
      if (e == null) {
        fails.fail("no input_request within 20 s of execute");
        return;
      }
      if (e.type.equals("closed")) {
        fails.fail("connection closed: " + e.raw);
        return;
      }
      if (job == null && e.type.equals("accepted") && req.equals(e.requestId)) job = e.jobId;
      else if (e.type.equals("error") && (req.equals(e.requestId) || job != null && job.equals(e.jobId))) {
        fails.fail("error: " + e.raw);
        return;
      } else if (job != null && job.equals(e.jobId)) {
        if (e.type.equals("input_request")) prompted = true;
        else if (e.type.equals("complete")) {
          fails.fail("ended before asking: " + e.raw);
          return;
        }
      }
    }
    String ended = null;
    for (int i = 1; i <= warm + rt && ended == null; i++) {
      String want = "x" + i + "\n";
      String msg = "{\"type\":\"input_response\",\"job_id\":\"" + job + "\",\"data\":\"x" + i + "\\n\"}";
      long t0 = System.nanoTime();
      ws.send(msg);
      long dl = t0 + ms(5_000);
      StringBuilder got = new StringBuilder();
      long echoAt = 0, promptAt = 0;
      while (promptAt == 0) {
        RawWs.Ev e = ws.poll(echoAt == 0 ? dl : Math.min(dl, echoAt + ms(2_000)));
        if (e == null) break;
        if (e.type.equals("closed")) {
          ended = "connection closed: " + e.raw;
          break;
        }
        if (!job.equals(e.jobId)) continue;
        if (e.type.equals("output") && echoAt == 0) {
          if (e.data != null) got.append(e.data);
          if (got.indexOf(want) >= 0) echoAt = e.t;
        } else if (e.type.equals("input_request") && echoAt != 0) {
          promptAt = e.t;
        } else if (e.type.equals("complete")) {
          ended = e.raw;
          break;
        }
      }
      if (echoAt == 0) {
        if (ended == null) fails.fail("echo " + i + " did not arrive within 5 s (got " + quote(got.toString()) + ")");
        break;
      }
      if (i > warm) {
        echo.add(echoAt - t0);
        if (promptAt != 0) prompt.add(promptAt - t0);
      }
      if (promptAt == 0) missing[0]++;
    }
    if (ended != null) {
      fails.fail("the echo program ended early: " + ended);
    } else {
      ws.send("{\"type\":\"eof\",\"job_id\":\"" + job + "\"}");
      long dl = System.nanoTime() + ms(10_000);
      String status = null;
      while (status == null) {
        RawWs.Ev e = ws.poll(dl);
        if (e == null) break;
        if (e.type.equals("closed")) break;
        if (job.equals(e.jobId) && e.type.equals("complete")) status = e.status;
      }
      if (!"ok".equals(status)) fails.fail(status == null ? "no complete within 10 s of eof" : "complete status " + status);
    }
  }

  // ---- 5: throughput with concurrent clients ----

  /**
   * Seconds of the same load before the measured window: the services' JIT compilers are still busy
   * for several seconds after start (thousands of methods run once or twice per job), and the figure
   * is meant to be the steady state of a server that has been up for a while.
   */
  private static final int LOAD_WARMUP_S = 5;

  private void phaseLoad() throws Exception {
    log("load: " + LOAD_WARMUP_S + " s warm-up, then " + clients + " connections running print(1) back to back for " + loadS + " s...");
    load(LOAD_WARMUP_S, new Failures(), new Samples(), null);
    Failures fails = failures.computeIfAbsent("print1_load", k -> new Failures());
    Samples lat = new Samples();
    double[] rate = new double[1];
    CpuSnap before = CpuSnap.take();
    load(loadS, fails, lat, rate);
    CpuSnap after = CpuSnap.take();
    figures.put("load_clients", clients);
    figures.put("load_runs_per_s", round(rate[0], 1));
    figures.put("load_latency_ms", lat.toJson());
    row("5 throughput, " + clients + " connections × print(1), " + loadS + " s", fmt("%.1f runs/s (%d runs)", rate[0], lat.size()),
        "≥ 60 runs/s", rate[0] >= 60.0);
    row("5 e2e latency under that load" + nOf(lat), pq(lat), "info", null);
    if (before != null && after != null && lat.size() > 0) {
      Map<String, Object> cpu = CpuSnap.perRun(before, after, lat.size());
      figures.put("load_cpu_ms_per_run", cpu);
      StringBuilder v = new StringBuilder();
      cpu.forEach((k, x) -> {
        if (!k.startsWith("machine") && x instanceof Double) {
          v.append(v.length() == 0 ? "" : " + ").append(SHORT.getOrDefault(k, k)).append(' ').append(fmt("%.1f", (Double) x));
        }
      });
      row("5 CPU ms/run under load (/proc, cgroups)", v + fmt(" = %.1f (machine %.0f%% busy)", cpu.get("machine_total"),
          cpu.get("machine_busy_pct")), "info", null);
    }
    // the same load spawned bare, in the same run: what this machine can do at all, so that figures of
    // machines of one kind that differ (they do, by a third) can be compared
    log("load: " + clients + " threads spawning " + PYTHON + " -c print(1) back to back for " + loadS + " s...");
    double bareRate = bareLoad(loadS);
    figures.put("load_bare_runs_per_s", round(bareRate, 1));
    row("5 bare: " + clients + " threads × spawn print(1), " + loadS + " s", fmt("%.1f runs/s; the stack did %.0f%% of it",
        bareRate, 100 * rate[0] / bareRate), "info", null);
  }

  private double bareLoad(int seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long end = System.nanoTime() + ms(seconds * 1000L);
      long t0 = System.nanoTime();
      List<Future<Integer>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(pool.submit(() -> {
          int ok = 0;
          while (System.nanoTime() < end) {
            if (bare(List.of(PYTHON, "-c", "print(1)"), 10_000).ok()) ok++;
          }
          return ok;
        }));
      }
      long ok = 0;
      for (Future<Integer> f : futures) ok += f.get(seconds + 60L, TimeUnit.SECONDS);
      return ok / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private void load(int seconds, Failures fails, Samples lat, double[] rate) throws Exception {
    List<RawWs> conns = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      for (int c = 0; c < clients; c++) conns.add(RawWs.connect(uri, 10_000));
      CountDownLatch go = new CountDownLatch(1);
      long[] start = new long[1];
      List<Future<List<Long>>> futures = new ArrayList<>();
      Failures[] perThread = new Failures[clients];
      for (int c = 0; c < clients; c++) {
        RawWs ws = conns.get(c);
        Failures f = perThread[c] = new Failures();
        futures.add(pool.submit(() -> {
          List<Long> out = new ArrayList<>();
          go.await();
          long end = start[0] + ms(seconds * 1000L);
          while (System.nanoTime() < end) {
            Run r = runOnce(ws, execute("python", "print(1)", null, null), 20_000, f);
            if (r.ok && !"1\n".equals(r.smallStdout)) f.fail("stdout was " + quote(r.smallStdout));
            else if (r.ok) out.add(r.completeNs - r.sentNs);
            if (ws.isClosed()) break;
          }
          return out;
        }));
      }
      start[0] = System.nanoTime();
      go.countDown();
      long ok = 0;
      for (Future<List<Long>> fu : futures) {
        for (long v : fu.get(seconds + 60L, TimeUnit.SECONDS)) {
          lat.add(v);
          ok++;
        }
      }
      double elapsed = (System.nanoTime() - start[0]) / 1e9;
      for (Failures f : perThread) fails.merge(f);
      if (rate != null) rate[0] = ok / elapsed;
    } finally {
      pool.shutdownNow();
      for (RawWs ws : conns) ws.close();
    }
  }

  // ---- 6: output throughput ----

  private void phaseOutput(RawWs ws) throws Exception {
    log("output: 10 MB of stdout, 1 warm-up + " + outRuns + " runs each through the stack and bare, interleaved...");
    Failures fails = failures.computeIfAbsent("output_10mb", k -> new Failures());
    Failures bareFails = failures.computeIfAbsent("output_10mb_bare", k -> new Failures());
    List<String> bareCmd = List.of(PYTHON, "-E", "-s", "-u", "-c", BIG);
    String exec = execute("python", BIG, null, "\"output_kb\":20000,\"wall_ms\":60000,\"cpu_ms\":60000");
    runOnce(ws, exec, 90_000, new Failures());
    bare(bareCmd, 60_000);
    Samples e2eRate = new Samples(), bareRate = new Samples(), e2eTotal = new Samples(), bareTotal = new Samples();
    List<Long> received = new ArrayList<>();
    for (int i = 0; i < outRuns; i++) {
      for (int k = 0; k < 2; k++) {
        if ((i + k) % 2 == 0) {
          Run r = runOnce(ws, exec, 90_000, fails);
          received.add(r.stdoutBytes);
          if (r.ok && r.stdoutBytes != BIG_BYTES) fails.fail("received " + r.stdoutBytes + " bytes, not " + BIG_BYTES);
          else if (r.ok && r.completeNs > r.firstOutNs) {
            e2eRate.addRaw(BIG_BYTES / 1e6 / ((r.completeNs - r.firstOutNs) / 1e9));
            e2eTotal.add(r.completeNs - r.sentNs);
          }
        } else {
          BareResult b = bare(bareCmd, 60_000);
          bareFails.attempts++;
          if (!b.ok() || b.bytes != BIG_BYTES) {
            bareFails.fail("bare: exit " + b.exit + ", " + b.bytes + " bytes" + (b.timedOut ? ", timed out" : ""));
          } else {
            bareRate.addRaw(BIG_BYTES / 1e6 / ((b.totalNs - b.firstNs) / 1e9));
            bareTotal.add(b.totalNs);
          }
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("e2e_mb_per_s", e2eRate.toJsonRaw());
    m.put("bare_mb_per_s", bareRate.toJsonRaw());
    m.put("e2e_total_ms", e2eTotal.toJson());
    m.put("bare_total_ms", bareTotal.toJson());
    m.put("received_bytes", received);
    figures.put("output_10mb", m);
    boolean allExact = !received.isEmpty() && received.stream().allMatch(b -> b == BIG_BYTES);
    row("6 e2e 10 MB stdout, first output → complete" + nOf(e2eRate),
        fmt("%.1f MB/s median (%.0f ms execute → complete)", e2eRate.median(), e2eTotal.p(50)), "info", null);
    row("6 bare 10 MB stdout, first byte → exit" + nOf(bareRate),
        fmt("%.1f MB/s median (%.0f ms spawn → exit)  e2e = %.2fx bare", bareRate.median(), bareTotal.p(50),
            e2eRate.median() / bareRate.median()), "info", null);
    row("6 bytes received per 10 MB run", received.toString(), "= 10000000", allExact);
  }

  // ---- one run through the stack ----

  static final class Run {
    boolean ok;
    long sentNs, acceptedNs, firstOutNs, completeNs, stdoutBytes;
    long execMs = -1; // the executor's own wall time of the program (complete.execution_time)
    String smallStdout = "";
    String status;
  }

  /** Send one execute and follow it to its complete (or the deadline). Sequential per connection. */
  static Run runOnce(RawWs ws, String executeWithoutId, long timeoutMs, Failures fails) throws Exception {
    Run r = new Run();
    fails.attempts++;
    String req = "r" + REQ.incrementAndGet();
    String msg = executeWithoutId.substring(0, executeWithoutId.length() - 1) + ",\"request_id\":\"" + req + "\"}";
    StringBuilder small = new StringBuilder();
    r.sentNs = System.nanoTime();
    ws.send(msg);
    long deadline = r.sentNs + ms(timeoutMs);
    String job = null;
    while (true) {
      RawWs.Ev e = ws.poll(deadline);
      if (e == null) {
        fails.fail("no complete within " + timeoutMs + " ms" + (job == null ? " (not even accepted)" : " (job " + job + ")"));
        return r;
      }
      switch (e.type) {
        case "closed" -> {
          fails.fail("connection closed: " + e.raw);
          return r;
        }
        case "accepted" -> {
          if (job == null && req.equals(e.requestId)) {
            job = e.jobId;
            r.acceptedNs = e.t;
          }
        }
        case "error" -> {
          if (req.equals(e.requestId) || job != null && job.equals(e.jobId)) {
            fails.fail("error: " + e.raw);
            return r;
          }
        }
        case "output" -> {
          if (job != null && job.equals(e.jobId)) {
            if (r.firstOutNs == 0) r.firstOutNs = e.t;
            if ("stdout".equals(e.stream)) {
              r.stdoutBytes += e.dataBytes;
              if (small.length() < 256 && e.data != null) small.append(e.data);
            } else {
              fails.note("stderr: " + (e.data == null ? e.dataBytes + " bytes" : e.data.strip()));
            }
          }
        }
        case "complete" -> {
          if (job != null && job.equals(e.jobId)) {
            r.completeNs = e.t;
            r.status = e.status;
            r.execMs = longField(e.raw, "\"execution_time\":");
            r.smallStdout = small.toString();
            if ("ok".equals(e.status)) r.ok = true;
            else fails.fail("status " + e.status + ": " + e.raw);
            return r;
          }
        }
        default -> {
          // input_request and compile are not expected here; other jobs' events are ignored
        }
      }
    }
  }

  static long longField(String s, String key) {
    int k = s == null ? -1 : s.indexOf(key);
    if (k < 0) return -1;
    long v = 0;
    int i = k + key.length();
    if (i >= s.length() || !Character.isDigit(s.charAt(i))) return -1;
    while (i < s.length() && Character.isDigit(s.charAt(i))) v = v * 10 + (s.charAt(i++) - '0');
    return v;
  }

  /** An execute frame without request_id (runOnce adds it; it must end with '}'). */
  static String execute(String lang, String code, String requestId, String limits) {
    StringBuilder sb = new StringBuilder("{\"type\":\"execute\",\"language\":\"").append(lang).append("\",\"code\":");
    jsonString(sb, code);
    if (limits != null) sb.append(",\"limits\":{").append(limits).append('}');
    if (requestId != null) sb.append(",\"request_id\":\"").append(requestId).append('"');
    return sb.append('}').toString();
  }

  static void jsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }

  // ---- bare spawn ----

  record BareResult(long firstNs, long totalNs, long bytes, int exit, boolean timedOut) {
    boolean ok() {
      return exit == 0 && !timedOut;
    }
  }

  /** Spawn with an environment of PATH only; time to the first stdout byte and to exit. */
  static BareResult bare(List<String> cmd, long timeoutMs) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", PATH_ENV);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    byte[] buf = new byte[1 << 16];
    long t0 = System.nanoTime();
    Process p = pb.start();
    boolean[] killed = {false};
    ScheduledFuture<?> dog = WATCHDOG.schedule(() -> {
      killed[0] = true;
      p.destroyForcibly();
    }, timeoutMs, TimeUnit.MILLISECONDS);
    long first = 0, bytes = 0;
    try {
      p.getOutputStream().close();
      InputStream in = p.getInputStream();
      int r;
      while ((r = in.read(buf)) >= 0) {
        if (r > 0 && first == 0) first = System.nanoTime();
        bytes += r;
      }
      if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new BareResult(0, 0, bytes, -1, true);
      }
    } catch (IOException e) {
      p.destroyForcibly();
      return new BareResult(0, 0, bytes, -1, killed[0]);
    } finally {
      dog.cancel(false);
    }
    long t1 = System.nanoTime();
    return new BareResult(first == 0 ? 0 : first - t0, t1 - t0, bytes, p.exitValue(), killed[0]);
  }

  // ---- statistics ----

  /** Durations in ns (shown in ms) or raw values. */
  static final class Samples {
    private final List<Double> v = new ArrayList<>();

    synchronized void add(long nanos) {
      v.add(nanos / 1e6);
    }

    synchronized void addRaw(double x) {
      v.add(x);
    }

    synchronized int size() {
      return v.size();
    }

    /** Nearest-rank percentile; NaN when empty. */
    synchronized double p(double pct) {
      if (v.isEmpty()) return Double.NaN;
      double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int rank = (int) Math.ceil(pct / 100.0 * s.length);
      return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    double median() {
      return p(50);
    }

    synchronized Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("n", v.size());
      if (v.isEmpty()) return m;
      double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      m.put("min", round(s[0], 3));
      m.put("p50", round(p(50), 3));
      m.put("p90", round(p(90), 3));
      m.put("p99", round(p(99), 3));
      m.put("max", round(s[s.length - 1], 3));
      m.put("mean", round(Arrays.stream(s).average().orElse(0), 3));
      return m;
    }

    Map<String, Object> toJsonRaw() {
      Map<String, Object> m = toJson();
      synchronized (this) {
        m.put("values", v.stream().map(x -> round(x, 2)).toList());
      }
      return m;
    }
  }

  /** Failed runs of one series, with the first few reasons. */
  static final class Failures {
    long attempts;
    long count;
    final List<String> reasons = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    synchronized void fail(String why) {
      count++;
      if (reasons.size() < 5) reasons.add(why.length() > 300 ? why.substring(0, 300) + "…" : why);
    }

    synchronized void note(String what) {
      if (notes.size() < 5) notes.add(what.length() > 300 ? what.substring(0, 300) + "…" : what);
    }

    synchronized void merge(Failures o) {
      attempts += o.attempts;
      count += o.count;
      for (String r : o.reasons) if (reasons.size() < 5) reasons.add(r);
      for (String r : o.notes) if (notes.size() < 5) notes.add(r);
    }

    synchronized Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("attempts", attempts);
      m.put("failed", count);
      if (!reasons.isEmpty()) m.put("reasons", List.copyOf(reasons));
      if (!notes.isEmpty()) m.put("notes", List.copyOf(notes));
      return m;
    }
  }

  // ---- CPU accounting (Linux /proc, best effort) ----

  private static final Map<String, String> SHORT = Map.of("gateway", "gw", "executors", "exec JVMs", "sandboxes", "sandboxes",
      "kernel_threads", "kthreads", "other_processes", "others", "unaccounted", "unseen");

  /**
   * CPU time of the stack's processes and of the machine at one moment: the services by their
   * main class, the sandboxes by their cgroups (cpuacct of {@code sandpit/}), kernel threads, and
   * the rest by process name.
   */
  static final class CpuSnap {
    static final double TICK_MS = 10.0; // USER_HZ = 100 on Linux
    static final Path CPUACCT = Path.of("/sys/fs/cgroup/cpuacct");
    final Map<String, Long> ticks = new LinkedHashMap<>();
    final Map<Long, String> otherName = new java.util.HashMap<>();
    final Map<Long, Long> otherTicks = new java.util.HashMap<>();
    /** cpuacct.usage (ns) of the slot cgroups of this stack's executors (found through their sandboxes). */
    final Map<String, Long> slotNs = new java.util.TreeMap<>();
    long machineBusy, machineAll;

    static CpuSnap take() {
      try {
        CpuSnap c = new CpuSnap();
        for (String k : List.of("gateway", "executors", "build", "redis", "bench", "kernel_threads")) c.ticks.put(k, 0L);
        long self = ProcessHandle.current().pid();
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
          for (Path d : dirs) {
            String cmd;
            String stat;
            try {
              cmd = new String(Files.readAllBytes(d.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
              stat = Files.readString(d.resolve("stat"));
            } catch (IOException e) {
              continue; // gone
            }
            String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            long pid = Long.parseLong(d.getFileName().toString());
            if (pid == self) c.add("bench", own);
            else if (cmd.contains("dev.sandpit.gateway.GatewayMain")) c.add("gateway", own);
            else if (cmd.contains("dev.sandpit.executor.ExecutorMain")) {
              c.add("executors", own);
              c.findSlots(d);
            }
            else if (cmd.contains("dev.sandpit.build.BuildMain")) c.add("build", own);
            else if (cmd.contains("redis-server")) c.add("redis", own);
            else if (cmd.isEmpty() && Long.parseLong(f[1]) == 2 || pid == 2) c.add("kernel_threads", own); // children of kthreadd
            else {
              c.otherName.put(pid, comm);
              c.otherTicks.put(pid, own);
            }
          }
        }
        for (String slot : List.copyOf(c.slotNs.keySet())) {
          try {
            c.slotNs.put(slot, Long.parseLong(Files.readString(CPUACCT.resolve(slot).resolve("cpuacct.usage")).trim()));
          } catch (IOException | NumberFormatException e) {
            c.slotNs.remove(slot);
          }
        }
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        for (int i = 1; i < cpu.length && i <= 8; i++) {
          long v = Long.parseLong(cpu[i]);
          c.machineAll += v;
          if (i != 4 && i != 5) c.machineBusy += v; // not idle, iowait
        }
        return c;
      } catch (IOException | RuntimeException e) {
        log("CPU accounting unavailable: " + e);
        return null;
      }
    }

    /** The cpuacct cgroups of an executor's children (its sandboxes, one per slot). */
    private void findSlots(Path proc) {
      try (var tasks = Files.newDirectoryStream(proc.resolve("task"))) {
        for (Path t : tasks) {
          String kids;
          try {
            kids = Files.readString(t.resolve("children")).trim();
          } catch (IOException e) {
            continue;
          }
          if (kids.isEmpty()) continue;
          for (String kid : kids.split(" ")) {
            try {
              for (String line : Files.readAllLines(Path.of("/proc", kid, "cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("cpuacct") && f[2].contains("/slot-")) {
                  slotNs.put(f[2].substring(1), 0L);
                }
              }
            } catch (IOException e) {
              // gone
            }
          }
        }
      } catch (IOException e) {
        // gone
      }
    }

    private void add(String k, long v) {
      ticks.merge(k, v, Long::sum);
    }

    /** ms of CPU per run, by consumer; "unaccounted" is what ended unseen (short-lived processes not in a sandbox). */
    static Map<String, Object> perRun(CpuSnap a, CpuSnap b, long runs) {
      Map<String, Object> m = new LinkedHashMap<>();
      double known = 0;
      for (String k : b.ticks.keySet()) {
        double ms = (b.ticks.get(k) - a.ticks.getOrDefault(k, 0L)) * TICK_MS / runs;
        m.put(k, round(ms, 1));
        known += ms;
      }
      long slotDelta = 0;
      for (var e : b.slotNs.entrySet()) {
        Long before = a.slotNs.get(e.getKey());
        if (before != null) slotDelta += e.getValue() - before;
      }
      m.put("sandbox_slots_seen", b.slotNs.size());
      if (!b.slotNs.isEmpty()) {
        double ms = slotDelta / 1e6 / runs;
        m.put("sandboxes", round(ms, 1));
        known += ms;
      }
      Map<String, Long> byName = new java.util.TreeMap<>();
      b.otherTicks.forEach((pid, t) -> byName.merge(b.otherName.get(pid), t - a.otherTicks.getOrDefault(pid, 0L), Long::sum));
      double others = byName.values().stream().mapToLong(Long::longValue).sum() * TICK_MS / runs;
      m.put("other_processes", round(others, 1));
      known += others;
      double machine = (b.machineBusy - a.machineBusy) * TICK_MS / runs;
      m.put("unaccounted", round(Math.max(0, machine - known), 1));
      m.put("machine_total", round(machine, 1));
      m.put("machine_busy_pct", round(100.0 * (b.machineBusy - a.machineBusy) / Math.max(1, b.machineAll - a.machineAll), 1));
      Map<String, Object> top = new LinkedHashMap<>();
      byName.entrySet().stream().filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(6)
          .forEach(e -> top.put(e.getKey(), round(e.getValue() * TICK_MS / runs, 1)));
      m.put("machine_top_other_processes", top);
      return m;
    }
  }

  // ---- output ----

  private void row(String figure, String value, String target, Boolean pass) {
    rows.add(new String[] {figure, value, target, pass == null ? "-" : pass ? "PASS" : "MISS"});
  }

  private void printTable(double secs) {
    int w0 = 0, w1 = 0, w2 = 0;
    for (String[] r : rows) {
      w0 = Math.max(w0, r[0].length());
      w1 = Math.max(w1, r[1].length());
      w2 = Math.max(w2, r[2].length());
    }
    StringBuilder sb = new StringBuilder();
    sb.append(fmt("Sandpit bench — %s, %d cores, %.0f s%n", uri, Runtime.getRuntime().availableProcessors(), secs));
    String f = "%-" + w0 + "s  %-" + w1 + "s  %-" + w2 + "s  %s%n";
    sb.append(fmt(f, "figure", "value", "target", "result"));
    for (String[] r : rows) sb.append(fmt(f, r[0], r[1], r[2], r[3]));
    failures.forEach((k, v) -> {
      if (v.count > 0 || !v.notes.isEmpty()) {
        sb.append(fmt("  %s: %d of %d failed %s%s%n", k, v.count, v.attempts, v.reasons, v.notes.isEmpty() ? "" : " notes " + v.notes));
      }
    });
    System.out.print(sb);
    System.out.flush();
  }

  private static String pq(Samples s) {
    if (s.size() == 0) return "no samples";
    return fmt("p50 %6.2f ms  p99 %6.2f ms", s.p(50), s.p(99));
  }

  private static String nOf(Samples s) {
    return " [n=" + s.size() + "]";
  }

  static String fmt(String f, Object... a) {
    return String.format(Locale.ROOT, f, a);
  }

  static double round(double x, int digits) {
    if (Double.isNaN(x) || Double.isInfinite(x)) return x;
    double m = Math.pow(10, digits);
    return Math.round(x * m) / m;
  }

  static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s.replace("\n", "\\n") + "\"";
  }

  private static void log(String s) {
    System.err.println("[bench] " + s);
  }
}
