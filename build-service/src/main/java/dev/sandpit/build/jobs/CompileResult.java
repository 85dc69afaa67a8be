package dev.sandpit.build.jobs;

import dev.sandpit.executor.process.RunResult;
import java.util.Map;

/** What one compile produced: the run's verdict, its combined output, and the artifact files. */
record CompileResult(RunResult run, String output, Map<String, byte[]> artifacts, String problem) {}
