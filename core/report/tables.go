package report

import (
	"fmt"

	"github.com/smearflow/smearflow/core/table"
)

// TableFrom converts a core/table.Table into a report Table: float cells
// with up to 6 significant digits (NaN as "n/a", infinities as "∞"),
// column units appended to the names as "name [unit]". maxRows > 0 keeps
// only the first maxRows rows and says so in the caption.
func TableFrom(title, caption string, t *table.Table, maxRows int) (Table, error) {
	if t == nil {
		return Table{}, fmt.Errorf("table %q: nil table", title)
	}
	if err := t.Check(); err != nil {
		return Table{}, fmt.Errorf("table %q: %w", title, err)
	}
	out := Table{Title: title, Caption: caption}
	for _, c := range t.Columns {
		name := c.Name
		if c.Unit != "" {
			name += " [" + c.Unit + "]"
		}
		out.Columns = append(out.Columns, name)
	}
	n := t.Rows()
	if maxRows > 0 && n > maxRows {
		out.Caption += fmt.Sprintf(" (first %d of %d rows)", maxRows, n)
		n = maxRows
	}
	for r := 0; r < n; r++ {
		row := make([]string, len(t.Columns))
		for i := range t.Columns {
			c := &t.Columns[i]
			if c.IsString() {
				row[i] = c.String[r]
			} else {
				row[i] = num(c.Float[r], 6)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}
