// What JGit's NetRC hands out for each host of each file: `java Ask DIR COUNT`
// (`java Ask --version`: JGit's version). The protocol is in answer_lines.rs.

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.transport.NetRC;

public class Ask {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("--version")) {
            File jar = new File(NetRC.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar)) {
                System.out.print(file.getManifest().getMainAttributes().getValue("Bundle-Version"));
            }
            return;
        }
        File dir = new File(args[0]);
        int count = Integer.parseInt(args[1]);
        List<String> hosts = new ArrayList<>();
        for (String line : Files.readAllLines(new File(dir, "hosts").toPath())) {
            hosts.add(new String(unhex(line), StandardCharsets.UTF_8));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            NetRC netrc = new NetRC(new File(dir, i + ".netrc"));
            List<String> answers = new ArrayList<>();
            for (String host : hosts) {
                NetRC.NetRCEntry entry = netrc.getEntry(host);
                if (entry == null) {
                    answers.add("-");
                } else {
                    String password = entry.password == null ? null : new String(entry.password);
                    answers.add(show(entry.login) + "," + show(password) + "," + show(entry.account));
                }
            }
            out.append(String.join(" ", answers)).append('\n');
        }
        System.out.print(out);
    }

    static String show(String value) {
        if (value == null) {
            return "~";
        }
        StringBuilder hex = new StringBuilder("x");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            hex.append(String.format("%02x", b & 0xff));
        }
        return hex.toString();
    }

    static byte[] unhex(String digits) {
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
