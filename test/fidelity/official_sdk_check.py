"""
Drives ims-emulator with an official Python SDK, an independent client: its own AK/SK signer, its
own request models and its own response deserialisation. Huawei Cloud's (huaweicloudsdkims) by
default, or G42 Cloud's (g42cloudsdkims, an older surface) with `g42` as sixth argument.

    python official_sdk_check.py <endpoint> <ak> <sk> <project_id> <member_project_id> [huaweicloud|g42]
        [<member_ak> <member_sk> [<remote_project_id> <remote_ak> <remote_sk>]]

The member's AK/SK let the checks answer a share as the recipient; the remote project (the
project named like the second region, ap-southeast-3) receives the cross-region copy. Checks that
need a key that was not given fail. Outside the SDK, the checks read the emulator's admin API
(/_emulator/) for what the service itself does not show: the account's enterprise projects and
the object an export wrote.

Where one SDK's models lack a field the service sends (G42 Cloud's JobEntities has no
sub_jobs_result), the check reads that field from the same answer's raw JSON, so both SDKs run
every check.

Prints one JSON line per check ({"check": ..., "ok": true|false, "detail": ...}) and exits 1
if any check failed.
"""
import importlib
import json
import struct
import sys
import time
import traceback
import urllib.request

endpoint, ak, sk, project_id, member_project_id = sys.argv[1:6]
sdk = sys.argv[6] if len(sys.argv) > 6 else "huaweicloud"
member_ak, member_sk = (sys.argv[7:9] + [None, None])[:2]
remote_project_id, remote_ak, remote_sk = (sys.argv[9:12] + [None, None, None])[:3]
REMOTE_REGION = "ap-southeast-3"
AGENCY = "ims_admin_agency"
if sdk not in ("huaweicloud", "g42"):
    sys.exit(f"unknown SDK {sdk}: huaweicloud or g42")
prefix = "huaweicloud" if sdk == "huaweicloud" else "g42cloud"
BasicCredentials = importlib.import_module(f"{prefix}sdkcore.auth.credentials").BasicCredentials
exceptions = importlib.import_module(f"{prefix}sdkcore.exceptions.exceptions")
HttpConfig = importlib.import_module(f"{prefix}sdkcore.http.http_config").HttpConfig
_ims = importlib.import_module(f"{prefix}sdkims.v2")
globals().update({name: getattr(_ims, name) for name in dir(_ims) if not name.startswith("_")})  # request and model classes

config = HttpConfig.get_default_config()
config.retry_times = 0


def new_client(access, secret, project):
    if not access or not secret:
        return None
    return (
        ImsClient.new_builder()
        .with_credentials(BasicCredentials(access, secret, project))
        .with_endpoints([endpoint])
        .with_http_config(config)
        .build()
    )


client = new_client(ak, sk, project_id)
member_client = new_client(member_ak, member_sk, member_project_id)
remote_client = new_client(remote_ak, remote_sk, remote_project_id)

results = []


def check(name):
    def wrap(fn):
        try:
            detail = fn()
            results.append({"check": name, "ok": True, "detail": detail})
        except Exception as e:  # report every failure, keep going
            results.append({"check": name, "ok": False, "detail": f"{type(e).__name__}: {e}", "trace": traceback.format_exc(limit=3)})
        return fn
    return wrap


def wait_job(job_id, timeout=20.0, by=None):
    """Polls a job with the client of the project that started it (the owner's by default)."""
    by = by or client
    deadline = time.time() + timeout
    while True:
        job = by.show_job(ShowJobRequest(job_id=job_id))
        if job.status in ("SUCCESS", "FAIL"):
            return job
        if time.time() > deadline:
            raise AssertionError(f"job {job_id} still {job.status}")
        time.sleep(0.1)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def need(c, what):
    expect(c is not None, f"no AK/SK was given for {what}")
    return c


def listed(c, image_id, **filters):
    """The ids of the images `c` lists for `id=image_id` (and further filters)."""
    return [i.id for i in c.list_images(ListImagesRequest(id=image_id, **filters)).images]


def answer_share(status):
    """The recipient accepts or rejects the shared image with the batch API (E12)."""
    recipient = need(member_client, "the member project")
    res = recipient.batch_update_members(BatchUpdateMembersRequest(body=BatchUpdateMembersRequestBody(
        images=[state["image_id"]], project_id=member_project_id, status=status)))
    job = wait_job(res.job_id, by=recipient)
    expect(job.status == "SUCCESS", f"job {job.status}: {job.fail_reason}")
    expect(job.job_type == "imsUpdateImageMembersJob", job.job_type)
    return recipient


def expect_error(call, status, code):
    """Runs `call`, which must fail with this HTTP status and service error code."""
    try:
        call()
    except exceptions.ClientRequestException as e:
        expect(e.status_code == status and e.error_code == code, f"{e.status_code} {e.error_code} {e.error_msg}")
        return {"error_code": e.error_code, "request_id": e.request_id}
    raise AssertionError(f"the call succeeded instead of failing with {code}")


def admin(path):
    """The bytes of an emulator admin API answer (GET /_emulator/<path>)."""
    with urllib.request.urlopen(f"{endpoint}/_emulator/{path}", timeout=10) as res:
        return res.read()


def enterprise_project(name):
    """The id of the account's enterprise project `name`, as the emulator's world lists it."""
    world = json.loads(admin("world"))
    return next(e["id"] for e in world["enterpriseProjects"] if e["name"] == name)


def sub_jobs(job):
    """The sub-jobs of a finished job as (job_type, status, image_id, image_name), and sub_jobs_list."""
    subs = getattr(job.entities, "sub_jobs_result", None)
    if subs is not None:
        return [(s.job_type, s.status, s.entities.image_id, s.entities.image_name) for s in subs], job.entities.sub_jobs_list
    entities = job.to_json_object()["entities"]  # the G42 SDK's model drops them; its answer has them
    subs = entities["sub_jobs_result"]
    return [(s["job_type"], s["status"], s["entities"]["image_id"], s["entities"]["image_name"]) for s in subs], entities["sub_jobs_list"]


def one_image(image_id, **filters):
    images = client.list_images(ListImagesRequest(id=image_id, **filters)).images
    expect([i.id for i in images] == [image_id], f"listed {[i.id for i in images]}")
    return images[0]


# The sample qcow2 file of the default world, as an OBS import names it.
UBUNTU_FILE = {"image_url": "images-bucket:ubuntu-24.04.qcow2", "min_disk": 40, "os_version": "Ubuntu 24.04 server 64bit"}

state = {}


@check("list public images (E1) with SDK models")
def _():
    res = client.list_images(ListImagesRequest(imagetype="gold", limit=10))
    expect(len(res.images) >= 1, "no public images")
    first = res.images[0]
    expect(first.visibility == "public" and first.imagetype == "gold", f"unexpected {first.visibility}/{first.imagetype}")
    return {"count": len(res.images), "platform": first.platform}


@check("create an image from an OBS file (E3) and wait for its job (E18)")
def _():
    body = CreateImageRequestBody(name="sdk-golden", **UBUNTU_FILE, image_tags=[TagKeyValue(key="team", value="platform")])
    res = client.create_image(CreateImageRequest(body=body))
    job = wait_job(res.job_id)
    expect(job.status == "SUCCESS", f"job {job.status}: {job.fail_reason}")
    expect(job.job_type == "imsImportImageJob", job.job_type)
    state["image_id"] = job.entities.image_id
    return {"job_id": res.job_id, "image_id": job.entities.image_id}


@check("query the image by id (E1 ?id=)")
def _():
    res = client.list_images(ListImagesRequest(id=state["image_id"]))
    expect(len(res.images) == 1, "image not found by id")
    image = res.images[0]
    expect(image.status == "active", image.status)
    expect(image.os_version == "Ubuntu 24.04 server 64bit", image.os_version)
    expect(image.image_size not in (None, "0"), f"__image_size {image.image_size}")
    return {"status": image.status, "disk_format": image.disk_format, "tags": image.tags}


@check("update the image by JSON patch (E2)")
def _():
    res = client.update_image(UpdateImageRequest(image_id=state["image_id"], body=[
        UpdateImageRequestBody(op="replace", path="/name", value="sdk-golden-renamed"),
        UpdateImageRequestBody(op="add", path="/__description", value="made by the official SDK"),
    ]))
    expect(res.name == "sdk-golden-renamed", res.name)
    expect(res.description == "made by the official SDK", res.description)
    return {"name": res.name}


@check("move the image to another enterprise project (E2) and list it by enterprise_project_id (E1)")
def _():
    ep = enterprise_project("platform-team")
    expect(one_image(state["image_id"]).enterprise_project_id == "0", "a new image is not in the default enterprise project 0")
    res = client.update_image(UpdateImageRequest(image_id=state["image_id"], body=[
        UpdateImageRequestBody(op="replace", path="/enterprise_project_id", value=ep)]))
    expect(res.enterprise_project_id == ep, f"enterprise_project_id {res.enterprise_project_id}")
    expect(one_image(state["image_id"], enterprise_project_id=ep).enterprise_project_id == ep, "not listed in its enterprise project")
    expect(listed(client, state["image_id"], enterprise_project_id="0") == [], "still listed in the default enterprise project")
    back = client.update_image(UpdateImageRequest(image_id=state["image_id"], body=[
        UpdateImageRequestBody(op="replace", path="/enterprise_project_id", value="0")]))
    expect(back.enterprise_project_id == "0", f"enterprise_project_id {back.enterprise_project_id}")
    return {"enterprise_project_id": ep}


@check("an enterprise project the account lacks is refused (IMG.0155)")
def _():
    body = [UpdateImageRequestBody(op="replace", path="/enterprise_project_id", value="9b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8")]
    return expect_error(lambda: client.update_image(UpdateImageRequest(image_id=state["image_id"], body=body)), 400, "IMG.0155")


@check("import a system disk with a data disk (E3 data_images): one sub-job per image, each image its own")
def _():
    body = CreateImageRequestBody(
        name="sdk-multi",
        **UBUNTU_FILE,
        # The SDKs' CreateDataImage model has only the ECS-volume fields (name, volume_id, ...): an
        # OBS data disk file is given as the JSON object the API documents.
        data_images=[{"name": "sdk-multi-logs", "image_url": "images-bucket:data-disk.vhd", "min_disk": 60}],
    )
    job = wait_job(client.create_image(CreateImageRequest(body=body)).job_id)
    expect(job.status == "SUCCESS", f"job {job.status}: {job.fail_reason}")
    expect(job.job_type == "imsImportImageJob", job.job_type)
    subs, ids = sub_jobs(job)
    expect([(t, st, n) for t, st, _, n in subs] == [
        ("imsImportImageJob", "SUCCESS", "sdk-multi"), ("imsImportDataImageJob", "SUCCESS", "sdk-multi-logs")], f"sub-jobs {subs}")
    expect(len(ids) == 2, f"sub_jobs_list {ids}")
    expect(subs[0][2] == job.entities.image_id, "the first sub-job is not the system image")
    data = one_image(subs[1][2])
    expect((data.virtual_env_type, data.disk_format, data.min_disk) == ("DataImage", "vhd", 60), f"{data.virtual_env_type} {data.disk_format} {data.min_disk}")
    expect(data.data_origin == "file,images-bucket:data-disk.vhd", f"__data_origin {data.data_origin}")
    return {"sub_jobs": [s[0] for s in subs]}


@check("create image metadata (N5, key=value tags), then register a file into it (E7)")
def _():
    created = client.glance_create_image_metadata(GlanceCreateImageMetadataRequest(body=GlanceCreateImageMetadataRequestBody(
        name="sdk-registered", os_version="CentOS 7.9 64bit", min_disk=40, container_format="bare", disk_format="qcow2", tags=["app=db", "tier"])))
    expect(created.status == "queued", created.status)
    expect(created.tags == ["app=db", "tier"], f"tags {created.tags}")
    state["registered_id"] = created.id
    res = client.register_image(RegisterImageRequest(image_id=created.id, body=RegisterImageRequestBody(image_url="images-bucket:data-disk.vhd")))
    job = wait_job(res.job_id)
    expect(job.status == "SUCCESS", f"job {job.status}: {job.fail_reason}")
    expect(job.job_type == "imsNativeImportImageJob", job.job_type)
    expect(job.entities.image_id == created.id, f"entities.image_id {job.entities.image_id}")
    image = one_image(created.id)
    expect(image.status == "active", image.status)
    expect(image.disk_format == "vhd", f"disk_format {image.disk_format} (the file is a VHD)")
    expect(image.root_origin == "file", f"__root_origin {image.root_origin}")
    return {"image_id": created.id, "disk_format": image.disk_format}


@check("registering a file into an image that is no longer queued is refused (IMG.1075)")
def _():
    body = RegisterImageRequestBody(image_url="images-bucket:ubuntu-24.04.qcow2")
    return expect_error(lambda: client.register_image(RegisterImageRequest(image_id=state["registered_id"], body=body)), 400, "IMG.1075")


@check("tags: batch create, list, delete one (E23, E25, E24)")
def _():
    client.batch_add_or_delete_tags(BatchAddOrDeleteTagsRequest(image_id=state["image_id"], body=BatchAddOrDeleteTagsRequestBody(
        action="create", tags=[ResourceTag(key="env", value="test"), ResourceTag(key="owner", value="sdk")])))
    tags = client.list_image_tags(ListImageTagsRequest(image_id=state["image_id"])).tags
    keys = sorted(t.key for t in tags)
    expect(keys == ["env", "owner", "team"], f"tags {keys}")
    client.delete_image_tag(DeleteImageTagRequest(image_id=state["image_id"], key="owner"))
    tags = client.list_image_tags(ListImageTagsRequest(image_id=state["image_id"])).tags
    expect(sorted(t.key for t in tags) == ["env", "team"], "tag not deleted")
    return {"keys": keys}


@check("share with another project (E10) and list members (E13)")
def _():
    res = client.batch_add_members(BatchAddMembersRequest(body=BatchAddMembersRequestBody(images=[state["image_id"]], projects=[member_project_id])))
    job = wait_job(res.job_id)
    expect(job.status == "SUCCESS", job.status)
    if hasattr(client, "list_image_members"):
        members = client.list_image_members(ListImageMembersRequest(image_id=state["image_id"])).members
    else:  # the G42 SDK has only the Glance-compatible member listing
        members = client.glance_list_image_members(GlanceListImageMembersRequest(image_id=state["image_id"])).members
    expect([m.member_id for m in members] == [member_project_id], f"members {members}")
    expect(members[0].status == "pending", members[0].status)
    return {"member_status": members[0].status}


@check("the recipient accepts with the batch API (E12) and lists the image as shared")
def _():
    recipient = answer_share("accepted")
    images = recipient.list_images(ListImagesRequest(id=state["image_id"])).images
    expect([i.id for i in images] == [state["image_id"]], f"listed {[i.id for i in images]}")
    expect(images[0].imagetype == "shared" and images[0].visibility == "shared", f"{images[0].imagetype}/{images[0].visibility}")
    return {"imagetype": images[0].imagetype}


@check("the recipient rejects with the batch API (E12): only the rejected listing shows the image")
def _():
    recipient = answer_share("rejected")
    expect(listed(recipient, state["image_id"]) == [], "a rejected image is still in the default listing")
    rejected = listed(recipient, state["image_id"], imagetype="shared", visibility="shared", member_status="rejected")
    expect(rejected == [state["image_id"]], f"rejected listing {rejected}")
    return {"rejected": rejected}


@check("the recipient shows and updates its own member entry (N9, N10)")
def _():
    recipient = need(member_client, "the member project")
    shown = recipient.glance_show_image_member(GlanceShowImageMemberRequest(image_id=state["image_id"], member_id=member_project_id))
    expect(shown.status == "rejected" and shown.member_id == member_project_id, f"{shown.member_id} {shown.status}")
    updated = recipient.glance_update_image_member(GlanceUpdateImageMemberRequest(
        image_id=state["image_id"], member_id=member_project_id, body=GlanceUpdateImageMemberRequestBody(status="accepted")))
    expect(updated.status == "accepted", updated.status)
    expect(listed(recipient, state["image_id"]) == [state["image_id"]], "the accepted image is not listed")
    return {"status": updated.status}


@check("the owner sees the member's answer (E14; N9 with the G42 SDK, which has no E14)")
def _():
    if hasattr(client, "show_image_member"):
        member = client.show_image_member(ShowImageMemberRequest(image_id=state["image_id"], member_id=member_project_id))
    else:
        member = client.glance_show_image_member(GlanceShowImageMemberRequest(image_id=state["image_id"], member_id=member_project_id))
    expect(member.status == "accepted" and member.image_id == state["image_id"], f"{member.image_id} {member.status}")
    return {"status": member.status}


@check("the owner stops sharing (E11): the recipient loses the image")
def _():
    res = client.batch_delete_members(BatchDeleteMembersRequest(body=BatchAddMembersRequestBody(
        images=[state["image_id"]], projects=[member_project_id])))
    job = wait_job(res.job_id)
    expect(job.status == "SUCCESS", f"job {job.status}: {job.fail_reason}")
    expect(job.job_type == "imsDelImageMembersJob", job.job_type)
    members = client.glance_list_image_members(GlanceListImageMembersRequest(image_id=state["image_id"])).members
    expect(members == [], f"members {members}")
    expect(listed(need(member_client, "the member project"), state["image_id"]) == [], "the recipient still lists the image")
    return {"job_type": job.job_type}


@check("quota (E17) and OS versions (E9)")
def _():
    quota = client.show_image_quota(ShowImageQuotaRequest()).quotas.resources[0]
    expect(quota.type == "image" and quota.used >= 1, f"quota {quota}")
    versions = client.list_os_versions(ListOsVersionsRequest(tag="uefi")).body
    expect(len(versions) >= 1 and versions[0].version_list[0].os_bit in (32, 64), "os versions")
    return {"used": quota.used, "quota": quota.quota, "platforms": len(versions)}


@check("copy in region (E15)")
def _():
    res = client.copy_image_in_region(CopyImageInRegionRequest(image_id=state["image_id"], body=CopyImageInRegionRequestBody(name="sdk-copy")))
    job = wait_job(res.job_id)
    expect(job.status == "SUCCESS", job.status)
    state["copy_id"] = job.entities.image_id
    expect(state["copy_id"] != state["image_id"], "copy has the source id")
    return {"copy_id": state["copy_id"]}


@check("copy across regions (E16): the job names the image made in the destination project")
def _():
    res = client.copy_image_cross_region(CopyImageCrossRegionRequest(image_id=state["image_id"], body=CopyImageCrossRegionRequestBody(
        name="sdk-remote", region=REMOTE_REGION, project_name=REMOTE_REGION, agency_name=AGENCY)))
    job = wait_job(res.job_id)
    expect(job.status == "SUCCESS", f"job {job.status}: {job.fail_reason}")
    expect(job.job_type == "imsCrossRegionCopyImageJob", job.job_type)
    remote_id = job.entities.image_id
    expect(remote_id not in (None, state["image_id"]), f"entities.image_id {remote_id}")
    expect(listed(client, remote_id) == [], "the copy is listed in the source region")
    remote = need(remote_client, "the destination project").list_images(ListImagesRequest(id=remote_id)).images
    expect([i.id for i in remote] == [remote_id], f"the destination lists {[i.id for i in remote]}")
    expect(remote[0].owner == remote_project_id and remote[0].name == "sdk-remote", f"{remote[0].owner} {remote[0].name}")
    return {"remote_id": remote_id}


@check("copy across regions with an agency the account lacks is refused (IMG.0179)")
def _():
    body = CopyImageCrossRegionRequestBody(name="sdk-remote-2", region=REMOTE_REGION, project_name=REMOTE_REGION, agency_name="missing_agency")
    return expect_error(lambda: client.copy_image_cross_region(CopyImageCrossRegionRequest(image_id=state["image_id"], body=body)), 400, "IMG.0179")


@check("export (E8): the job ends and the bucket holds the file in the asked format")
def _():
    key = f"exports/{sdk}-golden.vmdk"
    res = client.export_image(ExportImageRequest(image_id=state["image_id"], body=ExportImageRequestBody(
        bucket_url=f"images-bucket:{key}", file_format="vmdk")))
    job = wait_job(res.job_id)
    expect(job.status == "SUCCESS", f"job {job.status}: {job.fail_reason}")
    expect(job.job_type == "imsNativeExportImageJob", job.job_type)
    data = admin(f"objects/images-bucket/{key}")
    expect(data[:4] == b"KDMV", f"the file starts with {data[:4]!r}, not a VMDK header")
    gib = struct.unpack_from("<Q", data, 12)[0] * 512 / 1024 ** 3
    expect(gib == 20, f"the VMDK declares {gib} GiB, the image's disk is 20 GiB")
    again = ExportImageRequestBody(bucket_url=f"images-bucket:{key}", file_format="vmdk")
    refused = expect_error(lambda: client.export_image(ExportImageRequest(image_id=state["image_id"], body=again)), 400, "IMG.0070")
    return {"bytes": len(data), "exists_again": refused["error_code"]}


@check("Glance-compatible: list with pagination, show, delete (N1, N2, N4)")
def _():
    page = client.glance_list_images(GlanceListImagesRequest(limit=1, owner=project_id))
    expect(len(page.images) == 1 and page.first, "first page")
    expect(page.next is not None, "no next link although more images exist")
    shown = client.glance_show_image(GlanceShowImageRequest(image_id=state["copy_id"]))
    expect(shown.name == "sdk-copy", shown.name)
    client.glance_delete_image(GlanceDeleteImageRequest(image_id=state["copy_id"]))
    try:
        client.glance_show_image(GlanceShowImageRequest(image_id=state["copy_id"]))
        raise AssertionError("deleted image still shown")
    except exceptions.ClientRequestException as e:
        expect(e.status_code == 404, f"status {e.status_code}")
    return {"next": page.next}


@check("service errors reach the SDK with their code (IMG.0027)")
def _():
    body = [UpdateImageRequestBody(op="replace", path="/name", value="x")]
    return expect_error(lambda: client.update_image(UpdateImageRequest(image_id="00000000-0000-4000-a000-000000000000", body=body)), 400, "IMG.0027")


@check("a wrong secret key is refused by the gateway (APIGW.0301)")
def _():
    # The G42 SDK caches one signer per access key for the whole process: without this, the client
    # below would sign with the first client's (right) secret key.
    signer_cache = getattr(BasicCredentials, "_SIGNER_CACHE", None)
    if signer_cache is not None:
        signer_cache.clear()
    bad = new_client(ak, sk[:-1] + ("A" if sk[-1] != "A" else "B"), project_id)
    try:
        bad.show_image_quota(ShowImageQuotaRequest())
        raise AssertionError("a wrong signature was accepted")
    except exceptions.ClientRequestException as e:
        expect(e.status_code == 401 and e.error_code == "APIGW.0301", f"{e.status_code} {e.error_code}")
        return {"error_code": e.error_code}
    finally:
        if signer_cache is not None:
            signer_cache.clear()


@check("delete the image (N4)")
def _():
    client.glance_delete_image(GlanceDeleteImageRequest(image_id=state["image_id"]))
    res = client.list_images(ListImagesRequest(id=state["image_id"]))
    expect(res.images == [], "image still listed")
    return {}


for r in results:
    print(json.dumps(r))
sys.exit(0 if all(r["ok"] for r in results) else 1)
