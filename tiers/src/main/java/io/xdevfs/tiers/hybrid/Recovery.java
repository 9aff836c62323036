package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Volume;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

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
 * Cost: one listing of each tier and one walk of the namespace (about as long as {@code find} over it),
 * each streamed; 8 bytes of heap per object and per named file.
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
        IdSet inHot = objects(hot);
        IdSet inCold = objects(cold);
        if (inHot.isEmpty() && inCold.isEmpty()) {
            return;
        }
        inHot.forEach(id -> {
            if (inCold.contains(id)) {
                keepTheNewerCopy(id);
            }
        });
        IdSet named = namedFiles();
        for (Volume tier : new Volume[] {hot, cold}) {
            (tier == hot ? inHot : inCold).forEach(id -> {
                if (!named.contains(id)) {
                    ObjectNames.removeIfPresent(tier, ObjectNames.of(id));
                    orphansRemoved++;
                }
            });
        }
    }

    private void keepTheNewerCopy(long id) throws IOException {
        Stat h = hot.getattr(ObjectNames.of(id));
        Stat c = cold.getattr(ObjectNames.of(id));
        boolean hotNewer = h.mtimeSec > c.mtimeSec || h.mtimeSec == c.mtimeSec && h.mtimeNsec > c.mtimeNsec;
        (hotNewer ? cold : hot).unlink(ObjectNames.of(id));
        duplicatesRemoved++;
    }

    /** The complete objects of a tier, as its listing is read; part names are removed on the way. */
    private IdSet objects(Volume tier) throws IOException {
        IdSet ids = new IdSet();
        Listings.each(tier, "/", e -> {
            if (ObjectNames.isPart(e.name())) {
                ObjectNames.removeIfPresent(tier, "/" + e.name());
                partsRemoved++;
            } else {
                long id = ObjectNames.idOf(e.name());
                if (id != -1) {
                    ids.add(id);
                }
            }
        });
        return ids.seal();
    }

    /** The ids of every regular file with a name, from a walk that keeps only the directories still to list. */
    private IdSet namedFiles() throws IOException {
        IdSet ids = new IdSet();
        Deque<String> dirs = new ArrayDeque<>();
        dirs.push("/");
        while (!dirs.isEmpty()) {
            String dir = dirs.pop();
            Listings.each(namespace, dir, e -> {
                if (e.name().equals(".") || e.name().equals("..")) {
                    return;
                }
                String path = dir.equals("/") ? "/" + e.name() : dir + "/" + e.name();
                Stat st = namespace.getattr(path);
                if (st.isDirectory()) {
                    dirs.push(path);
                } else if (st.isRegularFile()) {
                    ids.add(st.ino);
                }
            });
        }
        return ids.seal();
    }
}
