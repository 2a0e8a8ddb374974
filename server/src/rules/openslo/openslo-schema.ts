import { z } from 'zod';

/**
 * The shape of OpenSLO v1 documents (github.com/OpenSLO/OpenSLO, apiVersion: openslo/v1),
 * following the OpenSLO Go SDK. Strict: a field that is not part of OpenSLO v1 is reported as
 * unknown. Fields that are valid OpenSLO but that Headroom cannot honour are accepted here
 * and refused by the converter with the reason, so the two cases read differently.
 */
export const OPENSLO_V1 = 'openslo/v1';

export const KINDS = ['SLO', 'SLI', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget', 'DataSource', 'Service'] as const;
export type Kind = (typeof KINDS)[number];

const text = z.string();
const labelValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);

export const metadataSchema = z.strictObject({
  name: z.string().min(1),
  displayName: text.optional(),
  labels: z.record(z.string(), labelValue).optional(),
  annotations: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
});
export type Metadata = z.infer<typeof metadataSchema>;

const metricSourceSchema = z.strictObject({
  metricSourceRef: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  spec: z.record(z.string(), z.unknown()),
});
export type MetricSource = z.infer<typeof metricSourceSchema>;

const metricSpecSchema = z.strictObject({ metricSource: metricSourceSchema });

export const sliSpecSchema = z.strictObject({
  description: text.optional(),
  thresholdMetric: metricSpecSchema.optional(),
  ratioMetric: z
    .strictObject({
      counter: z.boolean().optional(),
      good: metricSpecSchema.optional(),
      bad: metricSpecSchema.optional(),
      total: metricSpecSchema.optional(),
      rawType: z.enum(['success', 'failure']).optional(),
      raw: metricSpecSchema.optional(),
    })
    .optional(),
});
export type SliSpec = z.infer<typeof sliSpecSchema>;

export const alertConditionSpecSchema = z.strictObject({
  description: text.optional(),
  severity: z.string().min(1),
  condition: z.strictObject({
    kind: z.string().min(1).optional(),
    op: z.string().optional(),
    threshold: z.number(),
    lookbackWindow: z.string(),
    alertAfter: z.string().optional(),
  }),
});
export type AlertConditionSpec = z.infer<typeof alertConditionSpecSchema>;

// Inline-or-reference items: one object with every key optional, so that a mix-up reads as
// "give conditionRef or an inline AlertCondition" instead of a zod union error.
const conditionItemSchema = z.strictObject({
  conditionRef: z.string().min(1).optional(),
  kind: z.string().optional(),
  metadata: metadataSchema.optional(),
  spec: alertConditionSpecSchema.optional(),
});

const notificationTargetSpecSchema = z.strictObject({
  description: text.optional(),
  target: z.string().min(1),
});

const notificationTargetItemSchema = z.strictObject({
  targetRef: z.string().min(1).optional(),
  kind: z.string().optional(),
  metadata: metadataSchema.optional(),
  spec: notificationTargetSpecSchema.optional(),
});

export const alertPolicySpecSchema = z.strictObject({
  description: text.optional(),
  alertWhenNoData: z.boolean().optional(),
  alertWhenResolved: z.boolean().optional(),
  alertWhenBreaching: z.boolean().optional(),
  conditions: z.array(conditionItemSchema).optional(),
  notificationTargets: z.array(notificationTargetItemSchema).optional(),
});
export type AlertPolicySpec = z.infer<typeof alertPolicySpecSchema>;

const alertPolicyItemSchema = z.strictObject({
  alertPolicyRef: z.string().min(1).optional(),
  kind: z.string().optional(),
  metadata: metadataSchema.optional(),
  spec: alertPolicySpecSchema.optional(),
});

export const objectiveSchema = z.strictObject({
  /** Not in the v1 Go SDK, but written by several tools; names the Headroom SLO. */
  name: z.string().optional(),
  displayName: text.optional(),
  op: z.string().optional(),
  value: z.number().optional(),
  target: z.number().optional(),
  targetPercent: z.number().optional(),
  timeSliceTarget: z.number().optional(),
  timeSliceWindow: z.union([z.string(), z.number()]).optional(),
  indicator: z.unknown().optional(),
  indicatorRef: z.string().optional(),
  compositeWeight: z.number().optional(),
});
export type Objective = z.infer<typeof objectiveSchema>;

const sliInlineSchema = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: metadataSchema,
  spec: sliSpecSchema,
});

export const sloSpecSchema = z.strictObject({
  description: text.optional(),
  service: z.string().min(1),
  indicator: sliInlineSchema.optional(),
  indicatorRef: z.string().min(1).optional(),
  timeWindow: z
    .array(
      z.strictObject({
        duration: z.string(),
        isRolling: z.boolean().optional(),
        calendar: z.strictObject({ startTime: z.string(), timeZone: z.string() }).optional(),
      }),
    )
    .optional(),
  budgetingMethod: z.string(),
  objectives: z.array(objectiveSchema),
  alertPolicies: z.array(alertPolicyItemSchema).optional(),
});
export type SloSpec = z.infer<typeof sloSpecSchema>;

export const dataSourceSpecSchema = z.strictObject({
  description: text.optional(),
  type: z.string().min(1),
  connectionDetails: z.record(z.string(), z.unknown()),
});

const serviceSpecSchema = z.strictObject({ description: text.optional() });

const document = <S extends z.ZodType>(spec: S) =>
  z.strictObject({ apiVersion: z.string(), kind: z.string(), metadata: metadataSchema, spec });

export const documentSchemas = {
  SLO: document(sloSpecSchema),
  SLI: document(sliSpecSchema),
  AlertPolicy: document(alertPolicySpecSchema),
  AlertCondition: document(alertConditionSpecSchema),
  AlertNotificationTarget: document(notificationTargetSpecSchema),
  DataSource: document(dataSourceSpecSchema),
  Service: document(serviceSpecSchema),
} satisfies Record<Kind, z.ZodType>;

export interface SpecOf {
  SLO: SloSpec;
  SLI: SliSpec;
  AlertPolicy: AlertPolicySpec;
  AlertCondition: AlertConditionSpec;
  AlertNotificationTarget: z.infer<typeof notificationTargetSpecSchema>;
  DataSource: z.infer<typeof dataSourceSpecSchema>;
  Service: z.infer<typeof serviceSpecSchema>;
}
