package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.INVALID;

import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@link Store} over JDBC: SQLite (embedded default) or PostgreSQL, one schema (see
 * {@code db/migration/V1__store.sql}), connections and transactions in {@link Database}.
 *
 * <p>Concurrency: every change to a session's files (create, write, rename, delete, delete the
 * session) first locks the owner's {@code users} row, then the {@code sessions} row, in that order,
 * inside one transaction; the version check, the quota check and the write all happen under those
 * locks, so two writers (two threads, or two gateways on one PostgreSQL) cannot both pass a check
 * that only one of them may pass. On SQLite the single writer gives the same guarantee.
 *
 * <p>This class is the facade: each section of {@link Store} is its own part ({@link JdbcAccounts},
 * {@link JdbcSessions}, {@link JdbcFiles}, {@link JdbcShares}, {@link JdbcRuns}), over one
 * {@link Database} and one clock, sharing {@link JdbcSection}'s helpers and row lock.
 */
final class JdbcStore extends JdbcSection implements Store {
  /**
   * When the q search of listSessions asks the trigram index: only for a caller who owns at least
   * {@code minUserBytes} of files (below that a scan costs about as little: ~3 ns a byte), only
   * while at most {@code maxHits} files match (-1: the dialect's {@link Database#maxIndexHits}; 0:
   * never ask), and for at most {@code indexBudgetNanos} where the dialect can stop it (SQLite; see
   * {@link Database#indexHits}). Tests force either way to check that both give the same sessions.
   */
  record SearchTuning(long minUserBytes, int maxHits, long indexBudgetNanos) {
    /** 2 ms: a rare q takes 0.1–0.5 ms through SQLite's index; what runs longer is cheaper scanned. */
    static final long INDEX_BUDGET_NANOS = 2_000_000;
    static final SearchTuning DEFAULT = new SearchTuning(1 << 20, -1, INDEX_BUDGET_NANOS);
    static final SearchTuning ALWAYS_INDEX = new SearchTuning(0, Integer.MAX_VALUE - 1, Long.MAX_VALUE);
    static final SearchTuning ALWAYS_SCAN = new SearchTuning(0, 0, 0);
  }

  private final JdbcAccounts accounts;
  private final JdbcSessions sessions;
  private final JdbcFiles files;
  private final JdbcShares shares;
  private final JdbcRuns runs;

  /** The database under this store (tests). */
  Database database() {
    return db;
  }

  private JdbcStore(Database db, StoreConfig config, LongSupplier clock, SearchTuning search) {
    super(db, clock);
    long transcriptCap = config.transcriptCapBytes() > 0 ? config.transcriptCapBytes() : DEFAULT_TRANSCRIPT_CAP_BYTES;
    this.accounts = new JdbcAccounts(db, clock);
    this.sessions = new JdbcSessions(db, clock, search);
    this.files = new JdbcFiles(db, clock);
    this.shares = new JdbcShares(db, clock);
    this.runs = new JdbcRuns(db, clock, transcriptCap);
  }

  static JdbcStore open(StoreConfig config) {
    return open(config, System::currentTimeMillis);
  }

  /** With a clock of epoch milliseconds (tests use one that ticks on every call). */
  static JdbcStore open(StoreConfig config, LongSupplier clock) {
    return open(config, clock, SearchTuning.DEFAULT);
  }

  static JdbcStore open(StoreConfig config, LongSupplier clock, SearchTuning search) {
    if (config == null) throw new StoreException(INVALID, "no store configuration");
    return new JdbcStore(Database.open(config), config, clock, search);
  }

  @Override
  public String dialect() {
    return db.dialect();
  }

  @Override
  public void close() {
    db.close();
  }

  @Override
  public User createUser(String username, String passwordHash, boolean guest) {
    return accounts.createUser(username, passwordHash, guest);
  }

  @Override
  public Optional<User> userByName(String username) {
    return accounts.userByName(username);
  }

  @Override
  public Optional<User> userById(String id) {
    return accounts.userById(id);
  }

  @Override
  public Session createSession(String ownerId, String name, String language, List<FileWrite> files, FileLimits limits) {
    return sessions.createSession(ownerId, name, language, files, limits);
  }

  @Override
  public Optional<SessionAccess> access(String sessionId, String userId) {
    return sessions.access(sessionId, userId);
  }

  @Override
  public Page<SessionAccess> listSessions(String userId, String q, String language, int offset, int limit) {
    return sessions.listSessions(userId, q, language, offset, limit);
  }

  @Override
  public Session updateSession(String sessionId, String name, String language) {
    return sessions.updateSession(sessionId, name, language);
  }

  @Override
  public Optional<SessionSettings> sessionSettings(String sessionId) {
    return sessions.sessionSettings(sessionId);
  }

  @Override
  public SessionSettings updateSessionSettings(String sessionId, SessionSettings settings) {
    return sessions.updateSessionSettings(sessionId, settings);
  }

  @Override
  public boolean deleteSession(String sessionId) {
    return sessions.deleteSession(sessionId);
  }

  @Override
  public List<FileMeta> listFiles(String sessionId) {
    return files.listFiles(sessionId);
  }

  @Override
  public Optional<FileContent> readFile(String sessionId, String path) {
    return files.readFile(sessionId, path);
  }

  @Override
  public FileMeta writeFile(String sessionId, String path, byte[] content, boolean binary, Long expectedVersion, FileLimits limits) {
    return files.writeFile(sessionId, path, content, binary, expectedVersion, limits);
  }

  @Override
  public void renameFile(String sessionId, String from, String to) {
    files.renameFile(sessionId, from, to);
  }

  @Override
  public int deleteFile(String sessionId, String path) {
    return files.deleteFile(sessionId, path);
  }

  @Override
  public long userBytes(String userId) {
    return files.userBytes(userId);
  }

  @Override
  public Share createShare(String sessionId, String role, String createdBy) {
    return shares.createShare(sessionId, role, createdBy);
  }

  @Override
  public List<Share> shares(String sessionId) {
    return shares.shares(sessionId);
  }

  @Override
  public boolean revokeShare(String sessionId, String token) {
    return shares.revokeShare(sessionId, token);
  }

  @Override
  public Optional<Share> share(String token) {
    return shares.share(token);
  }

  @Override
  public void addMember(String sessionId, String userId, String role, String viaToken) {
    shares.addMember(sessionId, userId, role, viaToken);
  }

  @Override
  public String putBlob(byte[] content) {
    return runs.putBlob(content);
  }

  @Override
  public int deleteUnreferencedBlobs(int max) {
    return runs.deleteUnreferencedBlobs(max);
  }

  @Override
  public Optional<byte[]> blob(String hash) {
    return runs.blob(hash);
  }

  @Override
  public void startRun(RunRecord run) {
    runs.startRun(run);
  }

  @Override
  public void appendChunks(String runId, List<Chunk> chunks) {
    runs.appendChunks(runId, chunks);
  }

  @Override
  public void finishRun(String runId, RunEnd end) {
    runs.finishRun(runId, end);
  }

  @Override
  public Page<RunRecord> listRuns(String sessionId, int offset, int limit) {
    return runs.listRuns(sessionId, offset, limit);
  }

  @Override
  public List<RunRecord> unfinishedRuns(long startedBefore, int limit) {
    return runs.unfinishedRuns(startedBefore, limit);
  }

  @Override
  public Optional<RunRecord> run(String runId) {
    return runs.run(runId);
  }

  @Override
  public List<Chunk> chunks(String runId) {
    return runs.chunks(runId);
  }
}
