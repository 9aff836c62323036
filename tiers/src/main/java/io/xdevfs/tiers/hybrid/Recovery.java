package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Volume;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Makes the tiers agree with the namespace at mount, before anything is served, whatever a crash
 * interrupted (see {@link Mover} for why each rule is right):
 * <ul>
 *   <li>a part name (an unfinished copy) is removed;</li>
 *   <li>an object in both tiers (a switched move whose source was not freed) keeps the copy with
 *       the later mtime, the cold one on a tie;</li>
 *   <li>an object whose id no name in the namespace carries (its last name went, and its last handle,
 *       with the daemon) is removed.</li>
 * </ul>
 * Cost: one listing of each tier and one walk of the namespace (about as long as {@code find} over it).
 */
final class Recovery {
    private final Volume namespace;
    private final Volume hot;
    private final Volume cold;
    int partsRemoved;
    int duplicatesRemoved;
    int orphansRemoved;

    Recovery(Volume namespace, Volume hot, Volume cold) {
        this.namespace = namespace;
        this.hot = hot;
        this.cold = cold;
    }

    void run() throws IOException {
        Set<Long> inHot = objects(hot);
        Set<Long> inCold = objects(cold);
        for (long id : inHot) {
            if (inCold.contains(id)) {
                Stat h = hot.getattr(ObjectNames.of(id));
                Stat c = cold.getattr(ObjectNames.of(id));
                boolean hotNewer = h.mtimeSec > c.mtimeSec || h.mtimeSec == c.mtimeSec && h.mtimeNsec > c.mtimeNsec;
                (hotNewer ? cold : hot).unlink(ObjectNames.of(id));
                duplicatesRemoved++;
            }
        }
        if (inHot.isEmpty() && inCold.isEmpty()) {
            return;
        }
        Set<Long> named = namedFiles();
        for (Volume tier : new Volume[] {hot, cold}) {
            for (long id : tier == hot ? inHot : inCold) {
                if (!named.contains(id)) {
                    ObjectNames.removeIfPresent(tier, ObjectNames.of(id));
                    orphansRemoved++;
                }
            }
        }
    }

    /** The complete objects of a tier; part names are removed on the way. */
    private Set<Long> objects(Volume tier) throws IOException {
        Set<Long> ids = new HashSet<>();
        for (DirEntry e : tier.readdir("/")) {
            if (ObjectNames.isPart(e.name())) {
                ObjectNames.removeIfPresent(tier, "/" + e.name());
                partsRemoved++;
            } else {
                long id = ObjectNames.idOf(e.name());
                if (id != -1) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    private Set<Long> namedFiles() throws IOException {
        Set<Long> ids = new HashSet<>();
        Deque<String> dirs = new ArrayDeque<>();
        dirs.push("/");
        while (!dirs.isEmpty()) {
            String dir = dirs.pop();
            for (DirEntry e : namespace.readdir(dir)) {
                if (e.name().equals(".") || e.name().equals("..")) {
                    continue;
                }
                String path = dir.equals("/") ? "/" + e.name() : dir + "/" + e.name();
                Stat st = namespace.getattr(path);
                if (st.isDirectory()) {
                    dirs.push(path);
                } else if (st.isRegularFile()) {
                    ids.add(st.ino);
                }
            }
        }
        return ids;
    }
}
