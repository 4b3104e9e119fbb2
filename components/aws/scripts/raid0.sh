#!/usr/bin/env bash
# ai-infra: assemble the instance-store NVMe disks of this EC2 instance into one RAID0
# array, format it XFS and mount it for scratch (datasets cache, checkpoints in flight).
#
# Shipped by components/aws (launch template user data, a text/x-shellscript part of the
# MIME multipart document that EKS managed node groups merge with their own nodeadm
# NodeConfig on AL2023). cloud-init runs it once per instance. It does not touch the kubelet
# or containerd directories, so it does not matter whether the kubelet is already up: pods
# reach the scratch space through a hostPath volume on the mount point.
#
# Instance store is ephemeral: the array is lost when the instance stops or is replaced.
# Nothing here touches EBS volumes: only NVMe controllers whose model is
# "Amazon EC2 NVMe Instance Storage" are used
# (https://docs.aws.amazon.com/ebs/latest/userguide/nvme-ebs-volumes.html,
#  https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/InstanceStorage.html).
#
# Settings (environment; the defaults are what the node uses):
#   RAID0_MOUNT_POINT  where the scratch file system is mounted    (/mnt/scratch)
#   RAID0_MD_NAME      name of the md array (/dev/md/<name>)        (aiinfra-scratch)
#   RAID0_LABEL        XFS label                                    (scratch)
#   RAID0_SYSFS        sysfs root, to discover disks                (/sys)
#   RAID0_DEV          device directory                             (/dev)
#   RAID0_DEVICES      space-separated device paths: skip discovery (unset)
#   RAID0_FSTAB        fstab to record the mount in, so it survives a reboot (/etc/fstab)
#   RAID0_DRY_RUN      1: print each command ("+ cmd args") instead of running it
# Exit status: 0 when mounted (or when there is nothing to assemble), non-zero on failure.
set -euo pipefail

MOUNT_POINT="${RAID0_MOUNT_POINT:-/mnt/scratch}"
MD_NAME="${RAID0_MD_NAME:-aiinfra-scratch}"
LABEL="${RAID0_LABEL:-scratch}"
SYSFS="${RAID0_SYSFS:-/sys}"
DEV="${RAID0_DEV:-/dev}"
FSTAB="${RAID0_FSTAB:-/etc/fstab}"
DRY_RUN="${RAID0_DRY_RUN:-0}"
MODEL="Amazon EC2 NVMe Instance Storage"

log() { echo "aiinfra-raid0: $*" >&2; }

run() {
  if [[ "$DRY_RUN" == "1" ]]; then
    echo "+ $*"
  else
    "$@"
  fi
}

# Instance-store NVMe namespaces, sorted by name, from sysfs: /sys/block/nvmeXnY/device/model.
discover() {
  local block model name
  for block in "$SYSFS"/block/nvme*n*; do
    [[ -e "$block/device/model" ]] || continue
    name="$(basename "$block")"
    [[ "$name" =~ ^nvme[0-9]+n[0-9]+$ ]] || continue # skip partitions (nvme1n1p1)
    model="$(tr -s ' ' <"$block/device/model" | sed -e 's/^ *//' -e 's/ *$//')"
    if [[ "$model" == "$MODEL" ]]; then
      echo "$DEV/$name"
    fi
  done | sort -V
}

record_fstab() {
  local line="$1"
  if [[ "$DRY_RUN" == "1" ]]; then
    echo "+ append to $FSTAB: $line"
  elif ! grep -qsF "$line" "$FSTAB"; then
    echo "$line" >>"$FSTAB"
  fi
}

is_mounted() {
  if [[ "$DRY_RUN" == "1" ]]; then
    return 1
  fi
  mountpoint -q "$MOUNT_POINT"
}

main() {
  local devices=() target
  if [[ -n "${RAID0_DEVICES:-}" ]]; then
    read -r -a devices <<<"$RAID0_DEVICES"
  else
    mapfile -t devices < <(discover)
  fi

  if is_mounted; then
    log "$MOUNT_POINT is already mounted; nothing to do"
    return 0
  fi
  if [[ ${#devices[@]} -eq 0 ]]; then
    log "no instance-store NVMe found; $MOUNT_POINT is not created"
    return 0
  fi

  if [[ ${#devices[@]} -eq 1 ]]; then
    # One disk: no array, format it directly.
    target="${devices[0]}"
    log "one instance-store disk ($target): formatting it without RAID"
  else
    target="$DEV/md/$MD_NAME"
    log "assembling ${#devices[@]} instance-store disks into RAID0 $target: ${devices[*]}"
    if [[ "$DRY_RUN" == "1" || ! -e "$target" ]]; then
      run mdadm --create "$target" --level=0 --raid-devices="${#devices[@]}" --name="$MD_NAME" \
        --force --run --homehost=any "${devices[@]}"
    fi
    run udevadm settle
  fi

  run mkfs.xfs -f -L "$LABEL" "$target"
  run mkdir -p "$MOUNT_POINT"
  run mount -o defaults,noatime,nodiratime "$target" "$MOUNT_POINT"
  run chmod 1777 "$MOUNT_POINT"
  # User data runs once per instance; the md superblock reassembles the array on reboot and
  # the label finds it. nofail: a replaced instance store must not block the boot.
  record_fstab "LABEL=$LABEL $MOUNT_POINT xfs defaults,noatime,nodiratime,nofail 0 2"
  log "mounted $target on $MOUNT_POINT"
}

main "$@"
