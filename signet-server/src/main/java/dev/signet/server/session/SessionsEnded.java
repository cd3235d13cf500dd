package dev.signet.server.session;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Told when browser sessions are ended from elsewhere than their own browser: from the sessions
 * page or API, by an administrator, by a password change or reset, or with a disabled, demoted or
 * deleted account ({@link DbSessionRepository#end}, {@link DbSessionRepository#endAll}). A session's
 * own sign-out is not among them: whoever signs out tells the others itself. Called once per ending,
 * after the rows are gone and inside the caller's transaction, if any, so that what a listener
 * writes commits or rolls back with the ending. Registered with {@link DbSessionRepository#onEnd}.
 */
@FunctionalInterface
public interface SessionsEnded {
    /** One ended session: its row id, its user, and its attributes as they were stored. */
    record Ended(String rowId, String userId, Map<String, Object> attributes) {
        public Ended {
            attributes = Collections.unmodifiableMap(new HashMap<>(attributes));
        }
    }

    void ended(List<Ended> sessions);
}
