package dev.sandpit.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docker-compose.yml and the services' Dockerfiles consistent with the code, without
 * Docker (none runs where the tests run): it reads them as files, next to the sources, pom.xml
 * and languages.json, and checks that what they set, start and install is what the code reads,
 * runs and calls.
 */
class ComposeConsistencyTest {
  /** Compose service of each Sandpit module: the Dockerfile of the service lives in the module. */
  private static final Map<String, String> MODULE_OF_SERVICE = orderedMap(
      "gateway", "gateway-service",
      "executor", "executor-service",
      "build-service", "build-service");

  /** The services that run user code in the sandbox. */
  private static final List<String> WORKERS = List.of("executor", "build-service");

  private static final String HTTP_PORT = "SANDPIT_HTTP_PORT";
  private static final String HTTP_HOST = "SANDPIT_HTTP_HOST";
  private static final String HEALTH_PORT = "SANDPIT_HEALTH_PORT";
  private static final String REDIS_URL = "SANDPIT_REDIS_URL";
  private static final String WORKER_ID = "SANDPIT_WORKER_ID";
  private static final String SANDBOX_ROOT = "SANDPIT_SANDBOX_ROOT";
  private static final String DRAIN_TIMEOUT_MS = "SANDPIT_DRAIN_TIMEOUT_MS";

  /**
   * How long a worker's shutdown hook may take beyond its drain timeout: it waits for the drain
   * plus 5 s, then up to 10 s for Vert.x to close (ExecutorMain, BuildMain).
   */
  private static final Duration SHUTDOWN_BEYOND_DRAIN = Duration.ofSeconds(15);

  /**
   * The Debian (bookworm) packages that install each absolute path that languages.json or the
   * sandbox code starts. A path missing here fails the tests: add it with its package.
   */
  private static final Map<String, Set<String>> PACKAGES = Map.ofEntries(
      Map.entry("/usr/bin/python3", Set.of("python3", "python3-minimal")),
      Map.entry("/usr/bin/node", Set.of("nodejs")),
      Map.entry("/bin/bash", Set.of("bash")),
      Map.entry("/usr/bin/bash", Set.of("bash")),
      Map.entry("/usr/bin/gcc", Set.of("gcc")),
      Map.entry("/usr/bin/g++", Set.of("g++")),
      Map.entry("/usr/bin/clang", Set.of("clang")),
      Map.entry("/usr/bin/rustc", Set.of("rustc")),
      Map.entry("/usr/bin/go", Set.of("golang-go")),
      Map.entry("/usr/bin/javac", Set.of("openjdk-17-jdk-headless")),
      Map.entry("/usr/bin/java", Set.of("openjdk-17-jre-headless", "openjdk-17-jdk-headless")),
      Map.entry("/usr/libexec/coreutils/libstdbuf.so", Set.of("coreutils")),
      Map.entry("/usr/bin/env", Set.of("coreutils")),
      Map.entry("/bin/rm", Set.of("coreutils")),
      Map.entry("/bin/sh", Set.of("dash")),
      Map.entry("/usr/bin/setpriv", Set.of("util-linux")),
      Map.entry("/usr/bin/unshare", Set.of("util-linux")),
      Map.entry("/bin/mount", Set.of("mount")),
      Map.entry("/bin/umount", Set.of("mount")),
      Map.entry("/bin/kill", Set.of("procps")),
      Map.entry("/usr/bin/bwrap", Set.of("bubblewrap")),
      Map.entry("/usr/bin/firejail", Set.of("firejail")),
      Map.entry("/usr/bin/curl", Set.of("curl")),
      Map.entry("/usr/bin/wget", Set.of("wget")));

  private static final Pattern SANDPIT_VAR = Pattern.compile("\\bSANDPIT_[A-Z0-9_]+\\b");
  /** A string literal that is an absolute program path, e.g. "/usr/bin/bwrap". */
  private static final Pattern PROGRAM_LITERAL = Pattern.compile("\"((?:/usr)?/s?bin/[A-Za-z0-9._+-]+)\"");
  private static final Pattern MAIN_METHOD =
      Pattern.compile("public\\s+static\\s+void\\s+main\\s*\\(\\s*(final\\s+)?String\\s*(\\[\\]\\s*\\w+|\\.\\.\\.\\s*\\w+|\\w+\\s*\\[\\])");
  private static final Pattern HEALTH_URL = Pattern.compile("https?://[^/\\s:\"']+:(\\d+)(/[^\\s\"']*)?");

  private static Path root;
  private static String composeText;
  private static JsonNode compose;
  /** Main sources (java and resources) of every module, by module directory name. */
  private static final Map<String, Map<Path, String>> mainSources = new HashMap<>();

  @BeforeAll
  static void load() throws IOException {
    root = findRoot();
    composeText = Files.readString(root.resolve("docker-compose.yml"));
    compose = new YAMLMapper().readTree(composeText);
    assertTrue(compose != null && compose.path("services").isObject(), "docker-compose.yml has no services: mapping");
  }

  // ---------------------------------------------------------------------------------------------
  // the tests

  @Test
  void composeDefinesRedisAndBuildsGatewayExecutorAndBuildWorkerFromTheRepository() {
    JsonNode services = compose.path("services");
    for (String name : List.of("redis", "gateway", "executor", "build-service")) {
      assertTrue(services.has(name), "docker-compose.yml has no service '" + name + "'");
    }
    assertTrue(service("redis").path("image").asText("").startsWith("redis:7"),
        "redis runs image " + service("redis").path("image") + ", not redis:7");
    for (String name : MODULE_OF_SERVICE.keySet()) {
      assertTrue(service(name).has("build"), "service '" + name + "' is not built from the repository (no build:)");
    }
  }

  @Test
  void everyBuiltServiceRunsItsOwnModulesMainClassFromItsOwnModulesJar() {
    String version = projectVersion();
    for (String name : builtServices()) {
      Dockerfile d = dockerfile(name);
      String module = d.module();
      if (MODULE_OF_SERVICE.containsKey(name)) {
        assertEquals(MODULE_OF_SERVICE.get(name), module, "service '" + name + "' is built from the wrong Dockerfile");
      }
      assertTrue(Files.isRegularFile(root.resolve(module).resolve("pom.xml")),
          d.rel() + " is not in a Maven module (no " + module + "/pom.xml)");

      JavaCommand java = javaCommand(d);
      Path source = root.resolve(module).resolve("src/main/java").resolve(java.mainClass().replace('.', '/') + ".java");
      assertTrue(Files.isRegularFile(source), d.rel() + " starts " + java.mainClass() + ", but there is no "
          + root.relativize(source));
      assertTrue(MAIN_METHOD.matcher(read(source)).find(), d.rel() + " starts " + java.mainClass()
          + ", which has no public static void main(String[])");

      String jarName = module + "-" + version + ".jar";
      String jar = copyDestination(d, module + "/target/" + jarName, jarName);
      assertNotNull(jar, d.rel() + " does not copy " + module + "/target/" + jarName + " (the module's jar for version "
          + version + " of pom.xml) into its runtime image");
      assertTrue(java.classpath().contains(jar), d.rel() + ": the classpath " + java.classpath() + " lacks the module's jar " + jar);
      String lib = copyDestination(d, module + "/target/lib", null);
      assertNotNull(lib, d.rel() + " does not copy " + module + "/target/lib (the runtime dependencies) into its runtime image");
      assertTrue(java.classpath().contains(lib + "/*"), d.rel() + ": the classpath " + java.classpath() + " lacks " + lib + "/*");

      List<String> missing = notInstalled(d, List.of(java.program()));
      assertTrue(missing.isEmpty(), d.rel() + " starts " + java.program() + " but does not install it: " + missing);
    }
  }

  @Test
  void everySandpitVariableNamedInComposeOrDockerfilesIsDefinedInTheCode() {
    Map<String, String> named = new LinkedHashMap<>(); // variable -> where
    for (String v : sandpitVars(composeText)) named.putIfAbsent(v, "docker-compose.yml");
    for (String name : builtServices()) {
      Dockerfile d = dockerfile(name);
      for (String v : sandpitVars(read(d.path()))) named.putIfAbsent(v, d.rel());
    }
    assertTrue(named.containsKey(REDIS_URL), "docker-compose.yml names no " + REDIS_URL + ": nothing to check?");
    List<String> unknown = new ArrayList<>();
    for (var e : named.entrySet()) {
      if (!isDefined(e.getKey(), allModules())) unknown.add(e.getKey() + " (" + e.getValue() + ")");
    }
    assertTrue(unknown.isEmpty(), "no code reads these variables (no static final String constant in */src/main/java, "
        + "no ${...} in */src/main/resources): " + unknown);
  }

  @Test
  void everyServiceIsGivenOnlyVariablesThatTheCodeItRunsReads() {
    List<String> wrong = new ArrayList<>();
    for (var s : compose.path("services").properties()) {
      String name = s.getKey();
      Set<String> given = new TreeSet<>();
      environment(s.getValue()).keySet().stream().filter(k -> k.startsWith("SANDPIT_")).forEach(given::add);
      Set<String> modules = Set.of();
      if (s.getValue().has("build")) {
        Dockerfile d = dockerfile(name);
        d.env().keySet().stream().filter(k -> k.startsWith("SANDPIT_")).forEach(given::add);
        modules = modulesOf(d.module());
      }
      for (String v : given) {
        if (!readBy(v, modules)) wrong.add(name + ": " + v + " (not read by " + (modules.isEmpty() ? "it" : modules) + ")");
      }
    }
    assertTrue(wrong.isEmpty(), "services are given variables their code does not read: " + wrong);
  }

  @Test
  void gatewayPublishesThePortItListensOnOnAllInterfaces() {
    JsonNode gateway = service("gateway");
    int port = listenPort("gateway");
    List<Port> published = ports(gateway).stream().filter(p -> p.hostPort() != null).toList();
    assertFalse(published.isEmpty(), "the gateway publishes no port");
    for (Port p : published) {
      assertEquals(port, p.target(), "the gateway publishes container port " + p.target() + " but listens on " + port
          + " (" + HTTP_PORT + " in compose, else the default of GatewayConfig)");
    }
    String host = setting("gateway", HTTP_HOST);
    assertTrue(Set.of("0.0.0.0", "::").contains(host), "the gateway listens on " + host
        + " inside its container, so the published port reaches nothing");
    List<String> exposed = dockerfile("gateway").all("EXPOSE").stream()
        .flatMap(i -> Arrays.stream(i.args().split("\\s+"))).map(e -> e.replaceAll("/.*", "")).toList();
    assertTrue(exposed.isEmpty() || exposed.contains(Integer.toString(port)),
        "gateway-service/Dockerfile exposes " + exposed + ", not the port the gateway listens on, " + port);
  }

  @Test
  void workersScaleWithoutAFixedNameHostPortOrWorkerId() {
    assertTrue(isDefined(WORKER_ID, allModules()), WORKER_ID + " is no longer read by the code; update this test");
    for (String name : WORKERS) {
      JsonNode w = service(name);
      assertFalse(w.has("container_name"), name + " has a container_name: a second replica cannot start");
      for (Port p : ports(w)) {
        assertNull(p.hostPort(), name + " publishes host port " + p.hostPort() + ": a second replica cannot bind it");
      }
      assertFalse(environment(w).containsKey(WORKER_ID), name + " sets " + WORKER_ID
          + ": every replica would share one worker id");
      assertFalse(dockerfile(name).env().containsKey(WORKER_ID), dockerfile(name).rel() + " sets " + WORKER_ID
          + ": every replica would share one worker id");
      assertFalse(w.path("network_mode").asText("").equals("host"), name + " uses the host network: replicas' "
          + HEALTH_PORT + " would collide");
    }
  }

  @Test
  void everyProgramOfLanguagesJsonIsInstalledInTheImageThatStartsIt() throws IOException {
    JsonNode languages = new ObjectMapper().readTree(
        root.resolve("common-protocol/src/main/resources/languages.json").toFile());
    Set<String> executorStarts = new TreeSet<>(); // runs, and the version probes of ExecutorMain
    Set<String> buildStarts = new TreeSet<>(); // compiles, and the version probes of BuildMain
    for (JsonNode l : languages) {
      boolean compiled = l.path("compile").size() > 0;
      addProgram(executorStarts, l.path("run"));
      for (String lib : l.path("env").path("LD_PRELOAD").asText("").split("[\\s:]+")) {
        if (lib.startsWith("/")) executorStarts.add(lib);
      }
      if (compiled) {
        addProgram(executorStarts, l.path("runtimeCheck"));
        addProgram(buildStarts, l.path("compile"));
        addProgram(buildStarts, l.path("version"));
      } else {
        addProgram(executorStarts, l.path("version"));
      }
    }
    assertFalse(executorStarts.isEmpty() || buildStarts.isEmpty(), "languages.json names no programs: nothing to check?");
    List<String> missing = new ArrayList<>();
    notInstalled(dockerfile("executor"), executorStarts).forEach(m -> missing.add("executor: " + m));
    notInstalled(dockerfile("build-service"), buildStarts).forEach(m -> missing.add("build-service: " + m));
    assertTrue(missing.isEmpty(), "programs languages.json starts are not installed by the runtime stage's apt-get: " + missing);
  }

  @Test
  void everyProgramTheSandboxCodeStartsIsInstalledInBothWorkerImages() {
    List<String> missing = new ArrayList<>();
    for (String name : WORKERS) {
      Dockerfile d = dockerfile(name);
      Set<String> programs = new TreeSet<>();
      for (String module : modulesOf(d.module())) {
        for (var f : sources(module).entrySet()) {
          if (!f.getKey().toString().endsWith(".java")) continue;
          // the C compilers SandboxHelper may build itself with: an image carries it built ahead
          // (bothWorkerImagesCarryTheSandboxHelper…), and without either the worker falls back
          if (f.getKey().getFileName().toString().equals("SandboxHelper.java")) continue;
          Matcher m = PROGRAM_LITERAL.matcher(f.getValue());
          while (m.find()) programs.add(m.group(1));
        }
      }
      assertTrue(programs.containsAll(Set.of("/usr/bin/bwrap", "/usr/bin/setpriv")),
          "found no bwrap/setpriv in the sources of " + name + ": nothing to check? " + programs);
      notInstalled(d, programs).forEach(m -> missing.add(name + ": " + m));
    }
    assertTrue(missing.isEmpty(), "programs the worker code starts are not installed by the runtime stage's apt-get: " + missing);
  }

  @Test
  void bothWorkerImagesCarryTheSandboxHelperCompiledFromTheSourceTheWorkerLoadsWhereItLooks() {
    String java = read(root.resolve("worker-lib/src/main/java/dev/sandpit/worker/sandbox/SandboxHelper.java"));
    Matcher prebuilt = Pattern.compile("PREBUILT = \"([^\"]+)\"").matcher(java);
    Matcher source = Pattern.compile("SOURCE = \"/([^\"]+)\"").matcher(java);
    assertTrue(prebuilt.find() && source.find(), "SandboxHelper names no PREBUILT or SOURCE: update this test");
    // the image's directory is named as the worker names it: the first 16 hex digits of the source's SHA-256
    assertTrue(java.contains("\"SHA-256\"") && java.contains(".substring(0, 16)"), "SandboxHelper hashes its source differently: update the Dockerfiles");
    String src = "worker-lib/src/main/resources/" + source.group(1);
    assertTrue(Files.isRegularFile(root.resolve(src)), src);
    for (String name : WORKERS) {
      Dockerfile d = dockerfile(name);
      assertTrue(d.instructions().stream().anyMatch(i -> i.keyword().equals("COPY") && i.args().startsWith(src + " ")),
          d.rel() + " does not copy " + src + " into a stage");
      assertTrue(d.instructions().stream().anyMatch(i -> i.keyword().equals("RUN") && i.args().contains("sha256sum")
              && i.args().contains("cut -c1-16") && i.args().contains("-static") && i.args().contains("/sandpit-helper ")),
          d.rel() + " does not compile the helper statically into a directory named by the source's hash");
      assertTrue(d.all("COPY").stream().anyMatch(i -> i.args().startsWith("--from=") && i.args().strip().endsWith(" " + prebuilt.group(1) + "/")),
          d.rel() + "'s runtime stage does not copy the helper to " + prebuilt.group(1));
    }
  }

  @Test
  void everySandpitServiceReachesRedisThroughAComposeServiceItWaitsFor() {
    assertTrue(isDefined(REDIS_URL, allModules()), REDIS_URL + " is no longer read by the code; update this test");
    JsonNode services = compose.path("services");
    for (String name : builtServices()) {
      JsonNode s = service(name);
      String url = environment(s).get(REDIS_URL);
      assertNotNull(url, name + " does not set " + REDIS_URL + ": it would use the code's default of 127.0.0.1, its own container");
      URI u = URI.create(url);
      assertTrue(Set.of("redis", "rediss").contains(u.getScheme()), name + ": " + url + " is not a redis:// URL");
      String host = u.getHost();
      assertTrue(host != null && services.has(host), name + ": the host of " + url + " is not a compose service");
      assertEquals("service_healthy", s.path("depends_on").path(host).path("condition").asText(""),
          name + " does not wait for '" + host + "' to be healthy (depends_on: " + host + ": condition: service_healthy)");
      assertTrue(service(host).has("healthcheck"), "'" + host + "' has no healthcheck to wait for");
      int port = u.getPort() < 0 ? 6379 : u.getPort();
      assertEquals(redisPort(service(host)), port, name + ": " + url + " names a port '" + host + "' does not listen on");
    }
  }

  @Test
  void healthchecksProbeTheHealthPortOfEachServiceWithAProgramItsImageHas() {
    for (String name : builtServices()) {
      JsonNode hc = service(name).path("healthcheck");
      assertTrue(hc.has("test"), name + " has no healthcheck");
      List<String> test = hc.path("test").isArray() ? strings(hc.path("test")) : List.of("CMD-SHELL", hc.path("test").asText());
      List<String> argv = switch (test.get(0)) {
        case "CMD" -> test.subList(1, test.size());
        case "CMD-SHELL" -> Arrays.asList(String.join(" ", test.subList(1, test.size())).trim().split("\\s+"));
        default -> test;
      };
      Matcher m = HEALTH_URL.matcher(String.join(" ", argv));
      assertTrue(m.find(), name + ": the healthcheck " + test + " requests no http://host:port/ URL");
      assertEquals("/health", m.group(2), name + ": the healthcheck requests " + m.group(2) + ", not /health");
      // the gateway serves /health on its HTTP port, a worker on SANDPIT_HEALTH_PORT
      int port = dockerfile(name).module().equals("gateway-service")
          ? listenPort(name) : Integer.parseInt(setting(name, HEALTH_PORT));
      assertTrue(port > 0, name + ": " + HEALTH_PORT + " is not set, so the worker serves no /health to check");
      assertEquals(port, Integer.parseInt(m.group(1)), name + ": the healthcheck probes port " + m.group(1)
          + " but the service serves /health on " + port);
      String program = argv.get(0);
      String path = program.startsWith("/") ? program : "/usr/bin/" + program;
      assertEquals(List.of(), notInstalled(dockerfile(name), List.of(path)), name + ": the healthcheck runs " + program
          + ", which its image does not install");
    }
  }

  /** Where a worker running as root keeps its uid leases (worker-lib's SlotPool.claim). */
  private static final String ROOT_UID_LOCKS = "/run/sandpit";

  @Test
  void workerReplicasShareOneSandboxRootAndOneLeaseDirectorySoNoTwoRunsOnAHostShareAUid() {
    for (String dir : List.of("sandbox root", "uid leases")) {
      Set<String> volumes = new TreeSet<>();
      for (String name : WORKERS) {
        String target = dir.equals("uid leases") ? ROOT_UID_LOCKS : setting(name, SANDBOX_ROOT);
        Mount mount = mounts(service(name)).stream().filter(m -> m.target().equals(target)).findFirst().orElse(null);
        assertNotNull(mount, name + " mounts nothing on its " + dir + " " + target
            + ": its uid leases would be private to the container");
        assertTrue(mount.namedVolume() && compose.path("volumes").has(mount.source()), name + " mounts " + mount.source()
            + " on " + target + ", not a named volume of docker-compose.yml");
        volumes.add(mount.source());
      }
      assertEquals(1, volumes.size(), "the workers' " + dir + " are on different volumes " + volumes
          + ": two runs could share a uid");
    }
  }

  @Test
  void workersGetTheirDrainTimeBeforeDockerKillsThem() {
    for (String name : WORKERS) {
      long drainMs = Long.parseLong(setting(name, DRAIN_TIMEOUT_MS));
      Duration needed = Duration.ofMillis(drainMs).plus(SHUTDOWN_BEYOND_DRAIN);
      String grace = service(name).path("stop_grace_period").asText(null);
      assertNotNull(grace, name + " has no stop_grace_period: Docker kills it 10 s after SIGTERM, mid-drain (needs "
          + needed.toSeconds() + " s)");
      assertTrue(duration(grace).compareTo(needed) >= 0, name + ": stop_grace_period " + grace + " is shorter than its drain ("
          + DRAIN_TIMEOUT_MS + " = " + drainMs + ") plus " + SHUTDOWN_BEYOND_DRAIN.toSeconds() + " s of shutdown");
    }
  }

  @Test
  void sandboxWorkersRunAsRoot() {
    for (String name : WORKERS) {
      Dockerfile d = dockerfile(name);
      List<Instruction> users = d.all("USER");
      String user = users.isEmpty() ? "root" : users.get(users.size() - 1).args().split(":")[0];
      assertTrue(Set.of("root", "0").contains(user), d.rel() + " runs as " + user
          + ": the sandbox must be root to create cgroups, mount workspaces and switch to the slot uids");
      String composeUser = service(name).path("user").asText("root").split(":")[0];
      assertTrue(Set.of("root", "0").contains(composeUser), name + " runs as user " + composeUser + "; the sandbox needs root");
    }
  }

  @Test
  void javaServicesRunWithAUtf8LocaleSoNonAsciiFileNamesWork() {
    for (String name : builtServices()) {
      Map<String, String> env = new HashMap<>(dockerfile(name).env());
      env.putAll(environment(service(name)));
      String locale = env.getOrDefault("LC_ALL", env.getOrDefault("LANG", ""));
      assertTrue(locale.toLowerCase().matches(".*utf-?8.*"), name + " runs Java 17 with locale '" + locale
          + "': file names and argv become ASCII (set ENV LANG=C.UTF-8)");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // compose

  private static JsonNode service(String name) {
    JsonNode s = compose.path("services").path(name);
    assertTrue(s.isObject(), "docker-compose.yml has no service '" + name + "'");
    return s;
  }

  private static List<String> builtServices() {
    List<String> out = new ArrayList<>();
    compose.path("services").properties().forEach(e -> {
      if (e.getValue().has("build")) out.add(e.getKey());
    });
    assertTrue(out.containsAll(MODULE_OF_SERVICE.keySet()), "not every Sandpit service is built from the repository: " + out);
    return out;
  }

  /** environment: as a mapping or as a list of KEY=VALUE; a key without a value maps to "". */
  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode env = service.path("environment");
    if (env.isObject()) {
      env.properties().forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    } else if (env.isArray()) {
      for (JsonNode item : env) {
        String s = item.asText();
        int eq = s.indexOf('=');
        out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
      }
    }
    return out;
  }

  /** What a Sandpit service gets for a variable: compose, then its Dockerfile, then the code's default. */
  private static String setting(String service, String var) {
    String v = environment(service(service)).get(var);
    if (v == null || v.isBlank()) v = service(service).has("build") ? dockerfile(service).env().get(var) : null;
    return v == null || v.isBlank() ? sourceDefault(var) : v.trim();
  }

  private static int listenPort(String service) {
    return Integer.parseInt(setting(service, HTTP_PORT));
  }

  private record Port(String hostPort, int target) {}

  /** ports: short ("[ip:][host:]container[/proto]") or long ({target, published}) syntax. */
  private static List<Port> ports(JsonNode service) {
    List<Port> out = new ArrayList<>();
    for (JsonNode p : service.path("ports")) {
      if (p.isObject()) {
        String published = p.path("published").asText("");
        out.add(new Port(published.isEmpty() ? null : published, p.path("target").asInt()));
        continue;
      }
      String spec = p.asText().replaceAll("/(tcp|udp|sctp)$", "");
      String[] parts = spec.split(":");
      String target = parts[parts.length - 1];
      assertFalse(target.contains("-"), "port ranges are not understood by this test: " + spec);
      String host = parts.length >= 2 ? parts[parts.length - 2] : "";
      out.add(new Port(host.isEmpty() ? null : host, Integer.parseInt(target)));
    }
    return out;
  }

  private record Mount(String source, String target, boolean namedVolume) {}

  /** volumes of a service: short ("source:target[:mode]") or long ({type, source, target}) syntax. */
  private static List<Mount> mounts(JsonNode service) {
    List<Mount> out = new ArrayList<>();
    for (JsonNode v : service.path("volumes")) {
      if (v.isObject()) {
        out.add(new Mount(v.path("source").asText(""), v.path("target").asText(""),
            v.path("type").asText("").equals("volume") && !v.path("source").asText("").isEmpty()));
        continue;
      }
      String[] parts = v.asText().split(":");
      if (parts.length == 1) {
        out.add(new Mount("", parts[0], false)); // anonymous volume
      } else {
        boolean named = !(parts[0].startsWith("/") || parts[0].startsWith(".") || parts[0].startsWith("~"));
        out.add(new Mount(parts[0], parts[1], named));
      }
    }
    return out;
  }

  private static int redisPort(JsonNode redis) {
    JsonNode command = redis.path("command");
    List<String> argv = command.isArray() ? strings(command) : Arrays.asList(command.asText("").split("\\s+"));
    int i = argv.indexOf("--port");
    return i >= 0 && i + 1 < argv.size() ? Integer.parseInt(argv.get(i + 1)) : 6379;
  }

  /** A compose duration: "350s", "5m50s", "1h", "500ms". */
  static Duration duration(String s) {
    Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|ns|h|m|s)").matcher(s.trim());
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      double n = Double.parseDouble(m.group(1));
      long nanos = (long) (n * switch (m.group(2)) {
        case "h" -> 3_600e9;
        case "m" -> 60e9;
        case "s" -> 1e9;
        case "ms" -> 1e6;
        case "us" -> 1e3;
        default -> 1;
      });
      d = d.plusNanos(nanos);
      end = m.end();
    }
    assertTrue(end > 0 && end == s.trim().length(), "'" + s + "' is not a compose duration such as 350s or 5m50s");
    return d;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asText());
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Dockerfiles

  private record Instruction(String keyword, String args) {}

  /**
   * A Dockerfile read as instructions (continuation lines joined, comments dropped), and its
   * runtime stage: the instructions after the last FROM.
   */
  private record Dockerfile(Path path, List<Instruction> instructions, int runtimeStart, Map<String, String> args) {
    String rel() {
      return root.relativize(path).toString();
    }

    String module() {
      return root.relativize(path.getParent()).toString();
    }

    List<Instruction> runtime() {
      return instructions.subList(runtimeStart, instructions.size());
    }

    /** Runtime-stage instructions with this keyword. */
    List<Instruction> all(String keyword) {
      return runtime().stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** ENV of the runtime stage. */
    Map<String, String> env() {
      Map<String, String> out = new LinkedHashMap<>();
      for (Instruction i : all("ENV")) {
        String a = i.args();
        String first = a.split("\\s+")[0];
        if (first.contains("=")) {
          for (String kv : a.split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) out.put(kv.substring(0, eq), unquote(kv.substring(eq + 1)));
          }
        } else {
          out.put(first, unquote(a.substring(first.length()).trim()));
        }
      }
      return out;
    }

    String substitute(String s) {
      for (var e : args.entrySet()) {
        s = s.replace("${" + e.getKey() + "}", e.getValue()).replaceAll("\\$" + e.getKey() + "\\b", Matcher.quoteReplacement(e.getValue()));
      }
      return s;
    }
  }

  private static final Map<String, Dockerfile> dockerfiles = new HashMap<>();

  /** The Dockerfile the service's build: names (context + dockerfile). */
  private static Dockerfile dockerfile(String service) {
    return dockerfiles.computeIfAbsent(service, s -> {
      JsonNode build = service(s).path("build");
      assertFalse(build.isMissingNode(), "service '" + s + "' has no build:");
      String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
      String file = build.isTextual() ? "Dockerfile" : build.path("dockerfile").asText("Dockerfile");
      Path path = root.resolve(context).resolve(file).normalize();
      assertTrue(Files.isRegularFile(path), "service '" + s + "' is built from " + root.relativize(path) + ", which does not exist");
      return parseDockerfile(path);
    });
  }

  static Dockerfile parseDockerfile(Path path) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = null;
    for (String raw : read(path).split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || line.isEmpty()) continue; // also inside a continued instruction, as Docker does
      boolean continues = line.endsWith("\\");
      if (continues) line = line.substring(0, line.length() - 1);
      current = current == null ? new StringBuilder(line) : current.append(' ').append(line);
      if (!continues) {
        out.add(instruction(current.toString()));
        current = null;
      }
    }
    if (current != null) out.add(instruction(current.toString()));

    int lastFrom = -1;
    Map<String, String> globalArgs = new HashMap<>();
    for (int i = 0; i < out.size(); i++) {
      Instruction ins = out.get(i);
      if (ins.keyword().equals("FROM")) lastFrom = i;
      else if (ins.keyword().equals("ARG") && lastFrom < 0) putArg(globalArgs, ins.args(), Map.of());
    }
    assertTrue(lastFrom >= 0, root.relativize(path) + " has no FROM");
    Map<String, String> args = new HashMap<>();
    for (Instruction ins : out.subList(lastFrom + 1, out.size())) {
      if (ins.keyword().equals("ARG")) putArg(args, ins.args(), globalArgs);
    }
    return new Dockerfile(path, out, lastFrom + 1, args);
  }

  private static Instruction instruction(String line) {
    String[] kw = line.trim().split("\\s+", 2);
    return new Instruction(kw[0].toUpperCase(), kw.length > 1 ? kw[1].trim() : "");
  }

  private static void putArg(Map<String, String> into, String arg, Map<String, String> inherited) {
    int eq = arg.indexOf('=');
    if (eq > 0) into.put(arg.substring(0, eq).trim(), unquote(arg.substring(eq + 1).trim()));
    else if (inherited.containsKey(arg.trim())) into.put(arg.trim(), inherited.get(arg.trim()));
  }

  private static String unquote(String s) {
    return s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))
        ? s.substring(1, s.length() - 1) : s;
  }

  /** Packages that apt-get install installs in the runtime stage (build stages do not count). */
  private static Set<String> aptPackages(Dockerfile d) {
    Set<String> out = new TreeSet<>();
    Pattern install = Pattern.compile("\\bapt(?:-get)?\\s+(?:-\\S+\\s+)*install\\s+(.*?)(?:&&|\\|\\||;|\\||$)");
    for (Instruction run : d.all("RUN")) {
      Matcher m = install.matcher(run.args());
      while (m.find()) {
        for (String token : m.group(1).trim().split("\\s+")) {
          if (token.isEmpty() || token.startsWith("-")) continue;
          out.add(token.replaceAll("[=:].*$", ""));
        }
      }
    }
    return out;
  }

  /** The programs (absolute paths) of {@code programs} that the runtime stage does not install. */
  private static List<String> notInstalled(Dockerfile d, Collection<String> programs) {
    Set<String> installed = aptPackages(d);
    List<String> out = new ArrayList<>();
    for (String p : programs) {
      Set<String> candidates = PACKAGES.get(p);
      if (candidates == null) {
        out.add(p + " (ComposeConsistencyTest.PACKAGES does not say which Debian package installs it: add it)");
      } else if (candidates.stream().noneMatch(installed::contains)) {
        out.add(p + " (apt-get install one of " + candidates + ")");
      }
    }
    return out;
  }

  private record JavaCommand(String program, List<String> classpath, String mainClass) {}

  /** The java command of the runtime stage: ENTRYPOINT and CMD (exec or shell form). */
  private static JavaCommand javaCommand(Dockerfile d) {
    List<String> entry = lastCommand(d, "ENTRYPOINT");
    List<String> cmd = lastCommand(d, "CMD");
    // CMD is appended to an exec-form ENTRYPOINT and ignored by a shell-form one
    boolean entryExecForm = entry != null && d.all("ENTRYPOINT").get(d.all("ENTRYPOINT").size() - 1).args().startsWith("[");
    List<String> argv = new ArrayList<>(entry == null ? List.of() : entry);
    if (cmd != null && (entry == null || entryExecForm)) argv.addAll(cmd);
    int i = 0;
    while (i < argv.size() && !argv.get(i).equals("java") && !argv.get(i).endsWith("/java")) i++;
    assertTrue(i < argv.size(), d.rel() + ": ENTRYPOINT/CMD " + argv + " does not start java");
    String program = argv.get(i).startsWith("/") ? argv.get(i) : "/usr/bin/java";
    List<String> classpath = List.of();
    String main = null;
    Set<String> takesValue = Set.of("-p", "--module-path", "--add-modules", "--add-opens", "--add-exports",
        "--add-reads", "--patch-module", "--upgrade-module-path", "--limit-modules");
    for (i++; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
        classpath = i + 1 < argv.size() ? List.of(argv.get(++i).split(":")) : List.of();
      } else if (a.equals("-jar")) {
        fail(d.rel() + " starts java -jar; this test reads the main class from -cp ... MainClass");
      } else if (takesValue.contains(a)) {
        i++;
      } else if (!a.startsWith("-")) {
        main = a;
        break;
      }
    }
    assertNotNull(main, d.rel() + ": ENTRYPOINT/CMD " + argv + " names no main class");
    return new JavaCommand(program, classpath, main);
  }

  private static List<String> lastCommand(Dockerfile d, String keyword) {
    List<Instruction> all = d.all(keyword);
    if (all.isEmpty()) return null;
    String a = all.get(all.size() - 1).args();
    if (a.startsWith("[")) {
      try {
        return new ObjectMapper().readValue(a, new TypeReference<List<String>>() {});
      } catch (IOException e) {
        throw new AssertionError(d.rel() + ": " + keyword + " " + a + " is not a JSON array", e);
      }
    }
    List<String> words = new ArrayList<>(Arrays.asList(a.trim().split("\\s+")));
    if (!words.isEmpty() && words.get(0).equals("exec")) words.remove(0);
    return words;
  }

  /**
   * Where the runtime stage copies {@code wanted} (a path relative to the build's source tree)
   * to, or null. {@code fileName}: the name of a copied file, for a destination ending in /.
   */
  private static String copyDestination(Dockerfile d, String wanted, String fileName) {
    for (Instruction i : d.runtime()) {
      if (!i.keyword().equals("COPY") && !i.keyword().equals("ADD")) continue;
      List<String> words = Arrays.stream(i.args().split("\\s+")).filter(w -> !w.startsWith("--")).map(d::substitute).toList();
      if (words.size() < 2) continue;
      String dest = words.get(words.size() - 1);
      for (String src : words.subList(0, words.size() - 1)) {
        String s = src.replaceAll("/+$", "");
        if (s.equals(wanted) || s.endsWith("/" + wanted)) {
          String out = dest.endsWith("/") && fileName != null ? dest + fileName : dest;
          return out.replaceAll("/+$", "");
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // the code

  private static Path findRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isRegularFile(p.resolve("docker-compose.yml"))) return p;
    }
    throw new AssertionError("no directory with pom.xml and docker-compose.yml above " + Path.of("").toAbsolutePath());
  }

  /** The project's version: the first version of the root pom (the parent's own). */
  private static String projectVersion() {
    Matcher m = Pattern.compile("<artifactId>sandpit-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(read(root.resolve("pom.xml")));
    assertTrue(m.find(), "pom.xml: no <version> after <artifactId>sandpit-parent</artifactId>");
    return m.group(1).trim();
  }

  private static List<String> allModules() {
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(read(root.resolve("pom.xml")));
    List<String> out = new ArrayList<>();
    while (m.find()) out.add(m.group(1).trim());
    assertFalse(out.isEmpty(), "pom.xml lists no modules");
    return out;
  }

  /** The module and the project modules it depends on at run time (not test scope), transitively. */
  private static Set<String> modulesOf(String module) {
    Set<String> out = new LinkedHashSet<>();
    List<String> todo = new ArrayList<>(List.of(module));
    Pattern dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
    Pattern artifact = Pattern.compile("<artifactId>([^<]+)</artifactId>");
    while (!todo.isEmpty()) {
      String m = todo.remove(todo.size() - 1);
      if (!out.add(m)) continue;
      Matcher d = dependency.matcher(read(root.resolve(m).resolve("pom.xml")));
      while (d.find()) {
        String dep = d.group(1);
        if (!dep.contains("<groupId>dev.sandpit</groupId>") || dep.contains("<scope>test</scope>")
            || dep.contains("<type>test-jar</type>")) {
          continue;
        }
        Matcher a = artifact.matcher(dep);
        if (a.find() && Files.isDirectory(root.resolve(a.group(1)))) todo.add(a.group(1));
      }
    }
    return out;
  }

  /** A module's src/main files (java and resources) with their text. */
  private static Map<Path, String> sources(String module) {
    return mainSources.computeIfAbsent(module, m -> {
      Map<Path, String> out = new LinkedHashMap<>();
      Path main = root.resolve(m).resolve("src/main");
      if (!Files.isDirectory(main)) return out;
      try (Stream<Path> files = Files.walk(main)) {
        files.filter(Files::isRegularFile)
            .filter(f -> f.toString().matches(".*\\.(java|xml|json|properties|ya?ml|conf)$"))
            .forEach(f -> out.put(f, read(f)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out;
    });
  }

  /**
   * Whether the modules' code defines the variable: a {@code static final String X = "NAME"}
   * constant in Java, or a {@code ${NAME}} reference in a resource (logback.xml).
   */
  private static boolean isDefined(String name, Collection<String> modules) {
    for (String module : modules) {
      for (var f : sources(module).entrySet()) {
        if (defines(f.getKey(), f.getValue(), name)) return true;
      }
    }
    return false;
  }

  /**
   * Whether a service running the first of {@code modules} reads the variable: defined in its own
   * module, or in a module it depends on outside that module's own entry points (classes with a
   * main method): build-service has executor-service on its classpath but does not run ExecutorMain,
   * so SANDPIT_EXECUTOR_SLOTS means nothing to it.
   */
  private static boolean readBy(String name, Collection<String> modules) {
    String own = modules.isEmpty() ? null : modules.iterator().next();
    for (String module : modules) {
      for (var f : sources(module).entrySet()) {
        boolean entryPoint = MAIN_METHOD.matcher(f.getValue()).find();
        if (defines(f.getKey(), f.getValue(), name) && (module.equals(own) || !entryPoint)) return true;
      }
    }
    return false;
  }

  private static boolean defines(Path file, String text, String name) {
    return file.toString().endsWith(".java")
        ? Pattern.compile("static\\s+final\\s+String\\s+\\w+\\s*=\\s*\"" + Pattern.quote(name) + "\"").matcher(text).find()
        : text.contains("${" + name);
  }

  /**
   * The default the code uses for a variable: the literal after its constant in the defining
   * class, as in {@code s.intValue(PORT, 8080, ...)} or {@code s.string(ROOT, "/var/lib/sandpit")}.
   */
  static String sourceDefault(String name) {
    Pattern constant = Pattern.compile("static\\s+final\\s+String\\s+(\\w+)\\s*=\\s*\"" + Pattern.quote(name) + "\"");
    for (String module : allModules()) {
      for (var f : sources(module).entrySet()) {
        Matcher c = constant.matcher(f.getValue());
        if (!c.find()) continue;
        Matcher d = Pattern.compile("\\b" + c.group(1) + "\\s*,\\s*(?:\"([^\"]*)\"|(-?\\d[\\d_]*)L?\\b)").matcher(f.getValue());
        if (d.find()) return d.group(1) != null ? d.group(1) : d.group(2).replace("_", "");
        throw new AssertionError(root.relativize(f.getKey()) + ": found no default next to " + c.group(1) + " (" + name + ")");
      }
    }
    throw new AssertionError("no constant for " + name + " in */src/main/java");
  }

  private static Set<String> sandpitVars(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = SANDPIT_VAR.matcher(text);
    while (m.find()) out.add(m.group());
    return out;
  }

  private static void addProgram(Set<String> into, JsonNode command) {
    if (command.isArray() && command.size() > 0 && command.get(0).asText().startsWith("/")) into.add(command.get(0).asText());
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) out.put(kv[i], kv[i + 1]);
    return out;
  }
}
