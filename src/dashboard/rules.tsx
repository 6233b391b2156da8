import type { BlockRule, OverrideRule } from "../client/types.ts";
import { LIMIT_FIELDS } from "../config/limit-fields.ts";
import { expiry, identityText, limitText } from "./format.ts";
import { LIMIT_FIELD_NAMES } from "./forms.ts";
import { Hidden } from "./layout.tsx";

const DURATIONS: [string, string][] = [
  ["900", "15 min"],
  ["3600", "1 h"],
  ["86400", "24 h"],
  ["604800", "7 days"],
  ["", "until removed"],
];

function Duration({ selected = "3600" }: { selected?: string }) {
  return (
    <select name="seconds" aria-label="for how long">
      {DURATIONS.map(([value, label]) => (
        <option value={value} selected={value === selected}>
          {label}
        </option>
      ))}
    </select>
  );
}

interface Common {
  csrf: string;
  minutes: number;
  nowMs: number;
}

function Head({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((name) => (
          <th>{name}</th>
        ))}
      </tr>
    </thead>
  );
}

function RemoveButton(props: { csrf: string; minutes: number; action: string }) {
  return (
    <form method="post" action={props.action} class="inline">
      <Hidden csrf={props.csrf} minutes={props.minutes} />
      <button type="submit" data-action="remove">
        Remove
      </button>
    </form>
  );
}

export function Blocks(props: Common & { blocks: BlockRule[]; policies: string[] }) {
  const { csrf, minutes, nowMs } = props;
  return (
    <>
      <table class="rules" data-rules="blocks">
        <Head columns={["who", "policies", "ends", "reason", "by", "change or remove"]} />
        <tbody>
          {props.blocks.map((block) => (
            <tr data-rule={block.id}>
              <td>{identityText(block)}</td>
              <td>{block.policies?.join(", ") ?? "all"}</td>
              <td title={block.expiresAt ? new Date(block.expiresAt).toISOString() : undefined}>
                {expiry(block.expiresAt, nowMs)}
              </td>
              <td>{block.reason ?? ""}</td>
              <td>{block.door}</td>
              <td class="actions">
                <form method="post" action={`/dashboard/blocks/${block.id}/change`} class="inline">
                  <Hidden csrf={csrf} minutes={minutes} />
                  <Duration />
                  <input name="reason" placeholder="reason" value={block.reason ?? ""} />
                  <button type="submit">Change</button>
                </form>
                <RemoveButton
                  csrf={csrf}
                  minutes={minutes}
                  action={`/dashboard/blocks/${block.id}/remove`}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/dashboard/blocks" class="add" id="block">
        <Hidden csrf={csrf} minutes={minutes} />
        <select name="identity" aria-label="what to block">
          {["user", "chat", "ip", "key"].map((kind) => (
            <option value={kind}>{kind}</option>
          ))}
        </select>
        <input name="value" placeholder="42, -1001234567890, 203.0.113.0/24, tenant-7" required />
        <select name="policies" multiple aria-label="only these policies (none: all)">
          {props.policies.map((name) => (
            <option value={name}>{name}</option>
          ))}
        </select>
        <Duration />
        <input name="reason" placeholder="reason" />
        <button type="submit">Add block</button>
      </form>
    </>
  );
}

/** The override form, filled in from the page's query (a top subject's link, or "Change"). */
function OverrideForm(props: Common & { policies: string[]; prefill: Record<string, string> }) {
  const { prefill } = props;
  return (
    <form method="post" action="/dashboard/overrides" class="add" id="override">
      <Hidden csrf={props.csrf} minutes={props.minutes} />
      <select name="policy" aria-label="policy">
        {props.policies.map((name) => (
          <option value={name} selected={name === prefill.policy}>
            {name}
          </option>
        ))}
      </select>
      {(["user", "chat", "ip", "key"] as const).map((name) => (
        <input name={name} placeholder={name} value={prefill[name] ?? ""} />
      ))}
      <fieldset>
        <legend>
          limit, in the fields of the policy's kind:{" "}
          {Object.entries(LIMIT_FIELDS)
            .map(([kind, fields]) => `${kind}: ${fields.join(", ")}`)
            .join("; ")}
        </legend>
        {LIMIT_FIELD_NAMES.map((name) => (
          <input name={name} placeholder={name} inputmode="numeric" value={prefill[name] ?? ""} />
        ))}
        <label>
          <input type="checkbox" name="unlimited" value="1" checked={prefill.unlimited === "1"} />{" "}
          unlimited
        </label>
      </fieldset>
      <Duration selected={prefill.seconds ?? ""} />
      <input name="reason" placeholder="reason" value={prefill.reason ?? ""} />
      <button type="submit">Save override</button>
    </form>
  );
}

function changeLink(minutes: number, rule: OverrideRule): string {
  const query = new URLSearchParams({ minutes: String(minutes), policy: rule.policy });
  for (const name of ["user", "chat", "ip", "key"] as const) {
    const value = rule[name];
    if (value !== undefined) query.set(name, value);
  }
  if (rule.limit === "unlimited") query.set("unlimited", "1");
  else for (const [name, value] of Object.entries(rule.limit)) query.set(name, String(value));
  if (rule.reason !== undefined) query.set("reason", rule.reason);
  return `/dashboard?${query}#override`;
}

export function Overrides(
  props: Common & {
    overrides: OverrideRule[];
    policies: string[];
    prefill: Record<string, string>;
  },
) {
  const { csrf, minutes, nowMs } = props;
  return (
    <>
      <table class="rules" data-rules="overrides">
        <Head columns={["policy", "who", "limit", "ends", "reason", "by", "change or remove"]} />
        <tbody>
          {props.overrides.map((rule) => (
            <tr data-rule={rule.id}>
              <td>{rule.policy}</td>
              <td>{identityText(rule)}</td>
              <td>{limitText(rule.limit)}</td>
              <td>{expiry(rule.expiresAt, nowMs)}</td>
              <td>{rule.reason ?? ""}</td>
              <td>{rule.door}</td>
              <td class="actions">
                <a class="button" href={changeLink(minutes, rule)}>
                  Change…
                </a>
                <RemoveButton
                  csrf={csrf}
                  minutes={minutes}
                  action={`/dashboard/overrides/${rule.id}/remove`}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <OverrideForm {...props} />
    </>
  );
}
