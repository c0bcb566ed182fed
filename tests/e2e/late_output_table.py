"""Sums runs of kernel_late_output.py into the Markdown table of docs/kernel-late-output.md.

    /usr/bin/python3 tests/e2e/late_output_table.py docs/kernel-late-output/run-*.json
"""
import json
import sys


def main(paths):
    totals = {}
    for path in paths:
        with open(path) as file:
            for style, row in json.load(file)["summary"].items():
                total = totals.setdefault(style, {})
                for key, value in row.items():
                    total[key] = total.get(key, 0) + value
    print("| how the cell shows its value | requests | before `idle` | after `idle` "
          "| under another request's header | late or misplaced |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for style, t in sorted(totals.items(), key=lambda item: item[0]):
        bad = t["output after idle"] + t["labelled with another request"] + t["no output"]
        print(f"| {style} | {t['requests']} | {t['output before idle']} | {t['output after idle']} "
              f"| {t['labelled with another request']} | {100 * bad / t['requests']:.1f} % |")


if __name__ == "__main__":
    main(sys.argv[1:])
