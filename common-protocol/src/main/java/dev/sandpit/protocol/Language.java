package dev.sandpit.protocol;

import java.util.List;
import java.util.Map;

/**
 * A language runtime, described as data in {@code languages.json} (Piston's "runtimes are
 * data"): how to compile it (if at all), how to run it, how to read its version.
 *
 * @param id wire name
 * @param aliases other accepted names
 * @param main default name of the main source file
 * @param compile compile command (null for interpreted languages); {@code {sources}} expands to
 *     every source file, {@code {flags}} to the validated compiler flags
 * @param artifacts glob patterns of files the build hands to the executor
 * @param run run command; {@code {main}} is the main file, {@code {class}} the Java main class
 * @param env environment of the run
 * @param compileEnv environment of the compile
 * @param version command that prints the toolchain version
 * @param runtimeCheck command whose success proves an executor can run the artifacts
 */
public record Language(
    String id,
    String display,
    List<String> aliases,
    String main,
    List<String> compile,
    List<String> artifacts,
    List<String> run,
    Map<String, String> env,
    Map<String, String> compileEnv,
    List<String> version,
    List<String> runtimeCheck) {

  public boolean compiled() {
    return compile != null && !compile.isEmpty();
  }
}
