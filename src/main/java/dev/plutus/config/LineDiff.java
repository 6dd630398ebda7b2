package dev.plutus.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A unified diff of two texts by lines, as {@code diff -u} prints it (with two lines of context). */
public final class LineDiff {
    private static final int CONTEXT = 2;

    private LineDiff() {}

    public static String unified(String before, String after, String oldName, String newName) {
        List<String> a = Arrays.asList(before.split("\n", -1));
        List<String> b = Arrays.asList(after.split("\n", -1));
        // Configs differ in a few routing lines: trim the common ends so the table below stays small.
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.size() - prefix && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        List<String> am = a.subList(prefix, a.size() - suffix);
        List<String> bm = b.subList(prefix, b.size() - suffix);
        if (am.isEmpty() && bm.isEmpty()) {
            return "";
        }
        int[][] lcs = new int[am.size() + 1][bm.size() + 1];
        for (int i = am.size() - 1; i >= 0; i--) {
            for (int j = bm.size() - 1; j >= 0; j--) {
                lcs[i][j] = am.get(i).equals(bm.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        // Edit script over the whole texts: ' ' kept, '-' removed, '+' added.
        StringBuilder ops = new StringBuilder();
        List<String> text = new ArrayList<>();
        for (int k = 0; k < prefix; k++) {
            ops.append(' ');
            text.add(a.get(k));
        }
        int i = 0;
        int j = 0;
        while (i < am.size() || j < bm.size()) {
            if (i < am.size() && j < bm.size() && am.get(i).equals(bm.get(j))) {
                ops.append(' ');
                text.add(am.get(i));
                i++;
                j++;
            } else if (i < am.size() && (j == bm.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.append('-');
                text.add(am.get(i++));
            } else {
                ops.append('+');
                text.add(bm.get(j++));
            }
        }
        for (int k = a.size() - suffix; k < a.size(); k++) {
            ops.append(' ');
            text.add(a.get(k));
        }
        StringBuilder out = new StringBuilder("--- " + oldName + "\n+++ " + newName + "\n");
        int n = ops.length();
        int k = 0;
        int oldLine = 1;
        int newLine = 1;
        while (k < n) {
            if (ops.charAt(k) == ' ') {
                oldLine++;
                newLine++;
                k++;
                continue;
            }
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            while (end < n) {
                if (ops.charAt(end) != ' ') {
                    end++;
                    continue;
                }
                int run = end;
                while (run < n && ops.charAt(run) == ' ') {
                    run++;
                }
                if (run - end > 2 * CONTEXT || run == n) {
                    end = Math.min(n, end + CONTEXT);
                    break;
                }
                end = run;
            }
            int os = oldLine - (k - start);
            int ns = newLine - (k - start);
            int oc = 0;
            int nc = 0;
            StringBuilder hunk = new StringBuilder();
            for (int x = start; x < end; x++) {
                char op = ops.charAt(x);
                hunk.append(op).append(text.get(x)).append('\n');
                if (op != '+') {
                    oc++;
                }
                if (op != '-') {
                    nc++;
                }
                if (x >= k) {
                    if (op != '+') {
                        oldLine++;
                    }
                    if (op != '-') {
                        newLine++;
                    }
                }
            }
            out.append("@@ -").append(os).append(',').append(oc).append(" +").append(ns).append(',').append(nc).append(" @@\n")
                    .append(hunk);
            k = end;
        }
        return out.toString();
    }
}
