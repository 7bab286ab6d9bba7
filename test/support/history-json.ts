/**
 * Workflow histories as JSON files: the SDK's `historyToJSON` /
 * `historyFromJSON` (@temporalio/common/lib/proto-utils), the same proto3
 * JSON the Temporal CLI and UI export.
 *
 * In this dependency tree the SDK helpers throw "type must be a Type":
 * @temporalio/common and @temporalio/proto each get their own nested copy of
 * protobufjs 8 (the top level holds protobufjs 7 for @grpc/proto-loader), so
 * the JSON converter from one copy rejects the message types of the other.
 * Then the same conversion runs with the protobufjs copy that
 * @temporalio/proto's types were built with. The output is the same format.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Proto from '@temporalio/proto';
import { historyFromJSON as sdkFromJSON, historyToJSON as sdkToJSON, type History } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

let fallback: { json: ProtoJson; historyType: unknown; proto: typeof Proto } | undefined;
function protoJson() {
  if (!fallback) {
    // CommonJS, as the SDK loads them: an ESM namespace import does not expose the protobuf root.
    const require = createRequire(import.meta.url);
    const proto = require('@temporalio/proto') as typeof Proto;
    const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot: <T>(root: T) => T };
    const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
    const json = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
    const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
    fallback = { json, proto, historyType: root.lookupType('temporal.api.history.v1.History') };
  }
  return fallback;
}

const isTypeMismatch = (e: unknown) => e instanceof TypeError && /must be a Type/.test(e.message);

/** A history (e.g. from `handle.fetchHistory()`) as proto3 JSON text. */
export function historyToJSON(history: History): string {
  try {
    return sdkToJSON(history);
  } catch (e) {
    if (!isTypeMismatch(e)) throw e;
    const { json, historyType, proto } = protoJson();
    return JSON.stringify(json.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
  }
}

/** A history loaded from proto3 JSON (parsed), ready for `Worker.runReplayHistories`. */
export function historyFromJSON(parsed: unknown): History {
  try {
    return sdkFromJSON(parsed);
  } catch (e) {
    if (!isTypeMismatch(e)) throw e;
    const { json, historyType } = protoJson();
    return json.fromJson(historyType, parsed, { ignoreUnknownFields: true }) as History;
  }
}
