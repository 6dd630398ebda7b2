package dev.plutus.report;

import java.util.ArrayList;
import java.util.List;

/** Left-aligned text columns with a rule under the header; numeric columns may be right-aligned. */
public final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] rightAligned;
    private final String[] header;

    public TextTable(String[] header, boolean[] rightAligned) {
        this.header = header;
        this.rightAligned = rightAligned;
    }

    /** One row; a cell's control characters are escaped, so one cell stays on one line and its width is what shows. */
    public void add(String... cells) {
        String[] safe = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            safe[i] = dev.plutus.core.TerminalSafe.of(cells[i]);
        }
        rows.add(safe);
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    public String render() {
        int[] w = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            w[i] = header[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        int total = 0;
        for (int x : w) {
            total += x + 2;
        }
        sb.append("-".repeat(Math.max(0, total - 2))).append('\n');
        for (String[] r : rows) {
            line(sb, r, w);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, String[] cells, int[] w) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            String pad = " ".repeat(w[i] - c.length());
            l.append(rightAligned[i] ? pad + c : c + pad);
            if (i < cells.length - 1) {
                l.append("  ");
            }
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
