package dev.sandpit.gateway.store;

import java.util.List;
import java.util.Optional;

/**
 * Sandpit's durable state: accounts, sessions (named projects) and their workspace files, share
 * links, and the history of runs. One implementation ({@code JdbcStore}) over SQLite (the embedded
 * default) and PostgreSQL, with one set of migrations. Every method is blocking JDBC: call it off
 * the event loop ({@code vertx.executeBlocking}). Methods throw {@link StoreException} with a code.
 */
public interface Store extends AutoCloseable {

  /** Open the store named by {@code jdbcUrl} ({@code jdbc:sqlite:/path} or {@code jdbc:postgresql://…}) and migrate it. */
  static Store open(StoreConfig config) {
    return JdbcStore.open(config);
  }

  /** {@code sqlite} or {@code postgresql}. */
  String dialect();

  // ---- accounts ----
  User createUser(String username, String passwordHash, boolean guest);

  Optional<User> userByName(String username);

  Optional<User> userById(String id);

  // ---- sessions ----
  /** Creates the session and its files in one transaction, without limits. */
  default Session createSession(String ownerId, String name, String language, List<FileWrite> files) {
    return createSession(ownerId, name, language, files, FileLimits.NONE);
  }

  /**
   * Creates the session and its files in one transaction, which also checks {@code limits}: a file
   * or all of them over the per-file or per-session bytes is TOO_LARGE; the owner's files growing
   * past the per-user bytes is QUOTA. The owner's check and the insert happen under a lock of the
   * owner's row, so concurrent creates and writes cannot together pass a quota only one may.
   */
  Session createSession(String ownerId, String name, String language, List<FileWrite> files, FileLimits limits);

  /** The session with the caller's role, if the user owns it or it was shared with them (else empty). */
  Optional<SessionAccess> access(String sessionId, String userId);

  /**
   * Sessions the user owns or that were shared with them, newest {@code updated_at} first, each with
   * the user's role in it (owner, or the highest role of their memberships).
   *
   * @param q case-insensitive substring of the name or of any text file's content (null: all);
   *     lowercased with {@code Locale.ROOT} on both sides, binary files ignored
   * @param language exact language filter (null: all)
   * @param offset paging offset; {@code limit} at most 100
   */
  Page<SessionAccess> listSessions(String userId, String q, String language, int offset, int limit);

  /** Rename and/or change the default language (null leaves a field). Bumps version and updated_at. */
  Session updateSession(String sessionId, String name, String language);

  /** The session's settings (compiler, flags); empty when there is no such session. */
  Optional<SessionSettings> sessionSettings(String sessionId);

  /**
   * Replace the session's settings (validated by the caller against the session's language); bumps
   * updated_at, not version. NOT_FOUND when there is no such session.
   */
  SessionSettings updateSessionSettings(String sessionId, SessionSettings settings);

  /** Deletes the session, its files, shares, memberships, runs and co-edited documents. */
  boolean deleteSession(String sessionId);

  /** The co-edited documents' durable state (same database, same rules). */
  CollabDocs collabDocs();

  // ---- workspace files ----
  List<FileMeta> listFiles(String sessionId);

  Optional<FileContent> readFile(String sessionId, String path);

  /**
   * Create or replace a file. {@code expectedVersion}: null = create or overwrite unconditionally;
   * 0 = must not exist; n = must currently be at version n (else {@code StoreException} CONFLICT).
   * Enforces {@code limits} (per-file, per-session and per-user bytes: QUOTA / TOO_LARGE).
   */
  FileMeta writeFile(String sessionId, String path, byte[] content, boolean binary, Long expectedVersion, FileLimits limits);

  /** Rename a file or a directory prefix; CONFLICT if the target exists, NOT_FOUND if the source does not. */
  void renameFile(String sessionId, String from, String to);

  /** Delete a file or everything under a directory prefix; returns how many files went. */
  int deleteFile(String sessionId, String path);

  /** Total bytes of all files of all sessions the user owns. */
  long userBytes(String userId);

  // ---- sharing ----
  Share createShare(String sessionId, String role, String createdBy);

  List<Share> shares(String sessionId);

  /** Revoke a link; memberships gained through it are removed too. */
  boolean revokeShare(String sessionId, String token);

  /** A live (not revoked) share link. */
  Optional<Share> share(String token);

  /** Record that the user joined the session through a share link (idempotent; keeps the highest role). */
  void addMember(String sessionId, String userId, String role, String viaToken);

  // ---- history ----
  /**
   * Content-addressed: stores the bytes once under their SHA-256, returns the hex hash. Putting
   * bytes already stored also vouches for them: {@link #deleteUnreferencedBlobs} leaves a blob alone
   * for {@link #BLOB_GRACE_MS} after its last put, so the run that put it has time to reference it.
   */
  String putBlob(byte[] content);

  /** How long a blob put but not (yet) referenced by a run is kept: far longer than a put takes to be followed by its run's start. */
  long BLOB_GRACE_MS = 60 * 60_000L;

  /**
   * Deletes blobs that no run references any more, at most {@code max}; returns how many went. A
   * blob is referenced by a run whose snapshot it is, or whose snapshot (a JSON manifest of
   * path → hash) names it. Blobs put within the last {@link #BLOB_GRACE_MS} stay, referenced or
   * not: a run puts its files and manifest first and references them when it starts.
   */
  int deleteUnreferencedBlobs(int max);

  Optional<byte[]> blob(String hash);

  void startRun(RunRecord run);

  /** Append transcript chunks (batched by the caller); chunks past the run's cap are dropped and the run is marked capped. */
  void appendChunks(String runId, List<Chunk> chunks);

  /** Record the end of a run (idempotent: the first end wins). */
  void finishRun(String runId, RunEnd end);

  Page<RunRecord> listRuns(String sessionId, int offset, int limit);

  Optional<RunRecord> run(String runId);

  /** Runs without an end that started before the given time, oldest first (for the sweeper). */
  List<RunRecord> unfinishedRuns(long startedBefore, int limit);

  List<Chunk> chunks(String runId);

  @Override
  void close();
}
