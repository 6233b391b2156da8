import type { MetricsReport } from "../metrics/report.ts";
import { identityText } from "./format.ts";
import { Hidden } from "./layout.tsx";

const IDENTITY_ORDER = ["user", "ip", "key", "chat"] as const;

/** What a block names to reach a subject: one identity (a user in a group is blocked as the user). */
function blockIdentity(subject: Record<string, string>): [string, string] | undefined {
  const kind = IDENTITY_ORDER.find((name) => subject[name] !== undefined);
  return kind === undefined ? undefined : [kind, subject[kind] as string];
}

/** The link that opens the override form filled in for this policy and subject. */
function overrideLink(minutes: number, policy: string, subject: Record<string, string>) {
  const query = new URLSearchParams({ minutes: String(minutes), policy, ...subject });
  return `/dashboard?${query}#override`;
}

/** Each policy's most limited subjects, with a button to block one or give it an override. */
export function TopSubjects(props: { report: MetricsReport; csrf: string; nowMinutes: number }) {
  const { report, csrf } = props;
  const limited = report.policies.filter((p) => p.topSubjects.subjects.length > 0);
  if (limited.length === 0) return <p class="empty">Nobody was limited in the last hour.</p>;
  return (
    <div class="subjects">
      {limited.map((p) => (
        <table data-policy={p.name}>
          <caption>
            {p.name}: {p.topSubjects.limited} limited
            {p.topSubjects.maxError > 0 ? ` (counts ± ${p.topSubjects.maxError})` : ""}
          </caption>
          <tbody>
            {p.topSubjects.subjects.map(({ id, subject, count }) => {
              const target = subject ? blockIdentity(subject) : undefined;
              return (
                <tr data-subject={id}>
                  <td class="id" title={id}>
                    {subject ? identityText(subject) : id}
                  </td>
                  <td class="num" data-field="limited">
                    {count}
                  </td>
                  <td class="actions">
                    {target ? (
                      <form method="post" action="/dashboard/blocks">
                        <Hidden csrf={csrf} minutes={props.nowMinutes} />
                        <input type="hidden" name="identity" value={target[0]} />
                        <input type="hidden" name="value" value={target[1]} />
                        <input type="hidden" name="seconds" value="3600" />
                        <input type="hidden" name="reason" value={`limited by ${p.name}`} />
                        <button type="submit" data-action="block">
                          Block {target[0]} for 1 h
                        </button>
                      </form>
                    ) : null}
                    {subject ? (
                      <a class="button" href={overrideLink(props.nowMinutes, p.name, subject)}>
                        Override…
                      </a>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ))}
    </div>
  );
}
