// The gcp-train fleet (stacks/Pulumi.gcp-train.yaml) from TypeScript: the same spec, typed by the
// SDK that `pulumi package add ../../provider` generated from the ai-infra component package.
// Enum fields take the spec's strings ("prod", "on-demand"), checked by tsc against the SDK's
// enums (aiinfra.Capacity.OnDemand is the same value).
import * as aiinfra from "@pulumi/aiinfra";

const fleet = new aiinfra.Fleet("fleet", {
    environment: "prod",
    labels: { team: "research", "cost-center": "ml-training" },
    budget: { maxHourlyUsd: 2500, maxAccelerators: 256 },
    clusters: [
        {
            name: "train",
            cloud: "gcp",
            region: "us-central1",
            zone: "us-central1-a",
            kubernetes: { version: "1.35" },
            network: { cidr: "10.20.0.0/16", fabric: "auto" },
            gpuPools: [
                {
                    name: "h100",
                    accelerator: "H100-80GB",
                    acceleratorsPerNode: 8,
                    minNodes: 0,
                    maxNodes: 4,
                    capacity: aiinfra.Capacity.OnDemand,
                    localSsd: "raid0",
                },
            ],
            tpuSlices: [
                { name: "v5p", version: "v5p", topology: "2x2x4", count: 1, capacity: "spot" },
            ],
            storage: [
                { name: "datasets", kind: "lustre", capacityGiB: 36000, throughputMBpsPerTiB: 250, lustrePort: 6988 },
            ],
        },
    ],
});

export const clusterNames = fleet.clusterNames;
export const acceleratorsAtMax = fleet.acceleratorsAtMax;
export const kubeconfigs = fleet.kubeconfigs;
